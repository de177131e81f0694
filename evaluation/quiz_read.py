"""Draw the blind-read sample of issue 13: 40 quiz items from ten sets made the way a leader makes them.

    .venv/bin/python -m evaluation.quiz_read --data-dir DATA -o evaluation/results/quiz_read_sample_after.md

Ten sets (党章 ×4 incl. hard, easy and one chapter; 纪律处分条例; 二十大报告; 党内政治生活准则; 科普法;
both seed documents), one item of each type drawn from each set with a fixed seed: 40 items, 10 per type.
The output lists each item with its answer and source quote so a reader can grade it adequate /
acceptable / unacceptable (Sun et al., KDIR 2022).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SETS = (
    ("党章 medium", ("dangzhang_2022",), (), "medium"),
    ("党章 hard", ("dangzhang_2022",), (), "hard"),
    ("党章 easy", ("dangzhang_2022",), (), "easy"),
    ("党章 第一章", ("dangzhang_2022",), ("第一章",), "medium"),
    ("纪律处分条例", ("jilv_chufen_tiaoli_2023",), (), "medium"),
    ("二十大报告", ("xi_report_20th_congress_2022",), (), "medium"),
    ("党内政治生活准则", ("dangnei_zhengzhi_shenghuo_zhunze_2016",), (), "medium"),
    ("科普法", ("kexue_jishu_puji_fa_2024",), (), "medium"),
    ("中国通信学会（种子）", ("cic_dangjian_2024",), (), "medium"),
    ("南京机械工程学会（种子）", ("njmes_dangjian_plan_2023",), (), "medium"),
)
COUNTS = {"single": 10, "multi": 5, "blank": 5, "judge": 5}
SAMPLE = 40
TYPE_NAMES = {"single": "单选", "multi": "多选", "blank": "填空", "judge": "判断"}


def draw(kb, seed: int = 13) -> list[dict]:  # type: ignore[no-untyped-def]
    from wuxue.quiz.generator import QuizSpec, generate_quiz

    rng = random.Random(seed)
    sample, rest = [], []
    for name, doc_ids, sections, difficulty in SETS:
        result = generate_quiz(kb, QuizSpec(doc_ids, dict(COUNTS), sections, difficulty, seed=0))
        for kind in COUNTS:
            items = [i for i in result.items if i["type"] == kind]
            if items:
                pick = rng.choice(items)
                sample.append({"set": name, **pick})
                rest += [{"set": name, **i} for i in items if i is not pick]
    taken = {(s["set"], s["id"]) for s in sample}
    spare = [i for i in rest if (i["set"], i["id"]) not in taken]
    sample += rng.sample(spare, max(0, SAMPLE - len(sample)))  # a set without one type: fill up to 40 at random
    return sample


def to_markdown(sample: list[dict]) -> str:
    out = []
    for n, item in enumerate(sample, start=1):
        out.append(f"{n}. [{item['set']} · {TYPE_NAMES[item['type']]} · {item['generator']['method']}] {item['stem']}")
        for o in item["options"]:
            out.append(f"   {o['key']}. {o['text']}")
        out.append(f"   答案：{''.join(item['answer']['keys']) or '；'.join(item['answer']['texts'])}（{'；'.join(item['answer']['texts'])}）")
        out.append(f"   {item['explanation']}")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    kb = KnowledgeBase(load_settings(data_dir=args.data_dir))
    sample = draw(kb, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(to_markdown(sample), encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps(sample, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(sample)} items → {args.output}")


if __name__ == "__main__":
    main()
