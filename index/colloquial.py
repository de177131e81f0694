"""Everyday words members type for the words the texts use (爸妈 → 父母, 到期 → 期限届满, 打伤 → 人身损害).

A question in everyday words shares few words with a statute, so the lexical lists miss the article the dense
list half finds. The formal word is added to what the lexical lists search (the question itself is kept);
dense search reads the question as asked.
"""

from __future__ import annotations

# (everyday word, the texts' word); a longer everyday word first where one holds another
EVERYDAY_WORDS: tuple[tuple[str, str], ...] = (
    ("爸妈", "父母"), ("爹妈", "父母"), ("爸爸", "父亲"), ("妈妈", "母亲"), ("老婆", "妻子"), ("老公", "丈夫"), ("两口子", "夫妻"),
    ("小孩", "未成年人"), ("没成年", "未成年"), ("爷爷奶奶", "祖父母"), ("外公外婆", "外祖父母"),
    ("打伤", "人身损害"), ("受伤", "人身损害"), ("被打", "侵害"), ("撞伤", "人身损害"),
    ("到期", "期限届满"), ("过期", "期限届满"),
    ("借钱", "借款"), ("欠钱", "债务"), ("赔钱", "赔偿"), ("房子", "房屋"), ("租房", "租赁"),
    ("交党费", "交纳党费"),
    ("才能", "方可"), ("才可以", "方可"), ("情况下", "情形"),  # 在哪些情况下可以… is asked of 有下列情形之一的
    # people and parties as the civil texts name them
    ("房东", "出租人"), ("租客", "承租人"), ("卖家", "出卖人"), ("买家", "买受人"), ("商家", "经营者"),
    ("医院", "医疗机构"), ("医生", "医务人员"), ("物业公司", "物业服务人"), ("老板", "用人单位"),
    ("欠我钱的人", "债务人"), ("欠钱的人", "债务人"), ("借钱的人", "借款人"), ("网上", "网络"),
    ("飞机", "航空器"),
    # what they do
    ("不赔", "不承担赔偿责任"), ("白送", "无偿转让"), ("扣着", "留置"), ("退钱", "返还"), ("打官司", "诉讼"),
    ("工资", "劳动报酬"), ("停水停电", "停止供电、供水"),
)


def formal_words(question: str) -> list[str]:
    """The texts' words for the everyday words in ``question`` (none when it has none)."""
    found: list[str] = []
    rest = question
    for everyday, formal in EVERYDAY_WORDS:
        if everyday in rest and formal not in question:
            found.append(formal)
            rest = rest.replace(everyday, "")
    return list(dict.fromkeys(found))
