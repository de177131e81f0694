"""The quiz audit counts a numbered item's statement as grounded when its introducing line stands just before it."""

from wuxue.quiz.evaluation import _stated


def test_item_under_its_introducing_line_is_stated() -> None:
    before = "第十条入党介绍人的主要任务是：（一）向发展对象解释党的纲领；"
    quote = "（四）向党支部党员大会负责地介绍发展对象的情况；"
    assert _stated("入党介绍人的主要任务是：向党支部党员大会负责地介绍发展对象的情况", quote, before)


def test_a_lead_not_in_the_document_or_text_not_in_the_quote_is_not_stated() -> None:
    before = "第十条入党介绍人的主要任务是：（一）向发展对象解释党的纲领；"
    quote = "（四）向党支部党员大会负责地介绍发展对象的情况；"
    assert not _stated("入党联系人的主要任务是：向党支部党员大会负责地介绍发展对象的情况", quote, before)
    assert not _stated("入党介绍人的主要任务是：向党委负责地介绍发展对象的情况", quote, before)
    assert _stated("负责地介绍发展对象的情况", quote, "")
