"""The blind-read sampler spreads its draw over sets and types, and is reproducible by seed."""

from wuxue.evaluation.quiz_read import draw


def _records() -> list[dict]:
    return [{"set": s, "type": t, "stem": f"{s}{t}{i}"} for s in "甲乙丙" for t in ("单选", "判断") for i in range(5)]


def test_draw_covers_every_set_and_type_and_repeats_by_seed() -> None:
    drawn = draw(_records(), 12, seed=7)
    assert len(drawn) == 12
    assert {(r["set"], r["type"]) for r in drawn} == {(s, t) for s in "甲乙丙" for t in ("单选", "判断")}
    assert len({r["stem"] for r in drawn}) == 12
    assert drawn == draw(_records(), 12, seed=7)


def test_draw_stops_when_records_run_out() -> None:
    assert len(draw(_records()[:4], 40, seed=1)) == 4
