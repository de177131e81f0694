"""Issue 13's figures for item records saved as JSON ({doc_id: [items]} or [items]): the same numbers
`wuxue quiz-eval` reports, for sets made by another version of the generator (the "before").

    .venv/bin/python -m evaluation.quiz_figures ITEMS.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from wuxue.quiz.evaluation import item_figures


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    items = [i for group in data.values() for i in group] if isinstance(data, dict) else data
    figures = item_figures(items)
    figures["items"] = len(items)
    figures["multi"] = sum(i["type"] == "multi" for i in items)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
