"""Document routing: names found in a question, blanked for the lexical query; names of documents we lack."""

from __future__ import annotations

from wuxue.index.routing import DocumentRouter

ROUTER = DocumentRouter({
    "dangzhang": ["中国共产党章程", "党章"],
    "jijinhui": ["基金会管理条例", "基金会条例"],
    "kepu": ["中华人民共和国科学技术普及法", "科普法"],
})


def test_named_documents_and_their_spans_longest_name_first():
    assert ROUTER.named("《基金会管理条例》是怎样定义基金会的？") == {"jijinhui"}
    assert ROUTER.spans("《基金会管理条例》是怎样定义基金会的？") == [(1, 8, "jijinhui")]
    assert ROUTER.named("党章和科普法都提到了什么？") == {"dangzhang", "kepu"}
    assert ROUTER.named("基金会的监事不能由哪些人兼任？") == set()


def test_names_are_blanked_for_the_lexical_query_keeping_offsets():
    question = "党章规定预备期多长？"
    stripped = ROUTER.without_names(question)
    assert stripped == "  规定预备期多长?"  # folded (？→?) with the name replaced by spaces of the same length
    assert len(stripped) == len(question)
    assert ROUTER.without_names("预备期多长？") == "预备期多长?"


def test_unknown_document_names_but_not_questions_about_rules():
    assert ROUTER.unknown_names("按照《中国共产党问责条例》，问责方式有哪些？") == ["中国共产党问责条例"]
    assert ROUTER.unknown_names("按照中国科协章程，全国代表大会几年开一次？") == ["中国科协章程"]
    assert ROUTER.unknown_names("《基金会管理条例》怎样定义基金会？") == []
    assert ROUTER.unknown_names("民办非企业单位修改章程后多久要报核准？") == []
    assert ROUTER.unknown_names("学会召开年会收取会务费有什么规定？") == []
    assert ROUTER.unknown_names("党员违反规定经商怎么处理？") == []
    assert ROUTER.unknown_names("医生要做手术，按法律规定医务人员事先必须做到什么？") == []
    assert ROUTER.unknown_names("按国家规定，合同规定的期限怎么算？") == []
    assert ROUTER.unknown_names("哪几类人的民事权利保护，其他法律有特别规定的要按特别规定来？") == []
    assert ROUTER.unknown_names("除法律另有规定或者当事人另有约定外，出租人有权请求承租人（ ）") == []
    assert ROUTER.unknown_names("在没有法律另外规定、本人也没有明确同意的情况下，民法典禁止哪些行为？") == []
    assert ROUTER.unknown_names("网购七天无理由退货到底是怎么规定的？") == []
    assert ROUTER.unknown_names("法律上规定了哪几种情形？民法典中规定的呢？") == []


def test_a_name_with_words_left_out_is_a_known_document():
    router = DocumentRouter({"henan": ["河南省科学技术协会条例"], "pizhun": ["关于处分违纪党员批准权限和程序的规定"]})
    assert router.unknown_names("按河南省条例，科协是什么性质的组织？") == []
    assert router.unknown_names("处分违纪党员批准权限规定确定的权限是最高权限还是最低权限？") == []
    assert router.unknown_names("按照《中国共产党问责条例》，问责方式有哪些？") == ["中国共产党问责条例"]
    assert router.unknown_names("按照《中国科协章程》，全国代表大会几年开一次？") == ["中国科协章程"]


def test_a_title_is_also_found_as_members_say_it():
    """An admin types 中华人民共和国民法典 on upload; members ask “民法典规定…” (which is no unknown 规定)."""
    router = DocumentRouter({"civil": ["中华人民共和国民法典"], "chuli": ["中国共产党组织处理规定（试行）"],
                             "dangzhang": ["中国共产党章程"]})
    assert router.named("民法典规定承担民事责任的方式主要有哪些？") == {"civil"}
    assert router.unknown_names("民法典规定承担民事责任的方式主要有哪些？") == []
    assert router.unknown_names("下列哪些人属于民法典规定的近亲属？") == []
    assert router.named("按照组织处理规定，组织处理的方式有哪些？") == {"chuli"}
    assert router.named("学会章程规定理事会几年一届？") == set()  # never a bare 章程 for 中国共产党章程
