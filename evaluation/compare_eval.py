"""Compare two ``wuxue eval -o FILE`` outputs: did a refactoring change any retrieval, refusal or answer figure?

    git checkout OLD && wuxue eval --no-cmrc -o before.json
    git checkout NEW && wuxue eval --no-cmrc -o after.json
    python -m wuxue.evaluation.compare_eval before.json after.json   # exit 1 and the differences, if any

Timings (``seconds``) are ignored; everything under ``gold`` (hit@k, MRR, refusal precision/recall, in-scope
refused, support, the missed and wrongly answered questions) must match exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

IGNORED = {"seconds"}


def differences(before: object, after: object, path: str = "") -> list[str]:
    """Every place where the two results differ, as ``path: before → after``."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            if key in IGNORED:
                continue
            found += differences(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
        return found
    return [] if before == after else [f"{path}: {before!r} → {after!r}"]


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print(__doc__)
        return 2
    before, after = (json.loads(Path(a).read_text(encoding="utf-8")) for a in args)
    found = differences(before.get("gold"), after.get("gold"), "gold")
    for line in found[:50]:
        print(line)
    print("identical" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
