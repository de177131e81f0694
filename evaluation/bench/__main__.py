"""One command for every benchmark: a Markdown table and a JSON file beside it.

    python -m wuxue.evaluation.bench [--quick] [--sizes 1k,10k,100k,1m] [-o evaluation/results/bench.md]

Corpora and indexes are built once under ``WUXUE_CACHE_DIR/bench`` and reused by later
runs. ``--quick`` uses the bundled corpus only, small sizes and short loads (a minute or
two once the bundled corpus is embedded). Text for the large corpora is read from
``../shared/data`` (CMRC 2018, DRCD) when present; otherwise the shipped CMRC 2018 dev
set is used, and the output says which.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from wuxue.evaluation.bench.report import render
from wuxue.evaluation.bench.suite import STAGES, BenchConfig, Suite
from wuxue.settings import load_settings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m wuxue.evaluation.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short loads")
    parser.add_argument("--sizes", help="chunk counts, e.g. 1k,10k,100k,1m (default; quick: 1k,5k,25k)")
    parser.add_argument("--max-built", help="sizes above this are tiled from the largest built one (default 100k; quick 5k)")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"subset of {','.join(STAGES)}")
    parser.add_argument("--questions", type=int, help="questions per size for latency (default 200; quick 20)")
    parser.add_argument("--service-seconds", type=float, help="seconds per load run (default 8; quick 2)")
    parser.add_argument("--no-shared", action="store_true", help="ignore ../shared/data (use shipped data only)")
    parser.add_argument("--render", type=Path, help="only re-render the Markdown from an earlier JSON result")
    parser.add_argument("-o", "--output", type=Path, default=Path("evaluation/results/bench.md"), help="Markdown file; JSON is written beside it")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace, command: str) -> BenchConfig:
    from wuxue.evaluation.bench.workspace import parse_size

    settings = load_settings()
    overrides: dict[str, object] = {"command": command, "stages": tuple(s for s in args.stages.split(",") if s)}
    if args.sizes:
        overrides["sizes"] = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.max_built:
        overrides["max_built"] = parse_size(args.max_built)
    if args.questions:
        overrides["questions"] = args.questions
    if args.service_seconds:
        overrides["service_seconds"] = args.service_seconds
    if args.no_shared:
        overrides["shared"] = None
    if args.quick:
        return BenchConfig.quick_defaults(settings, **overrides)
    overrides.setdefault("sizes", ["1k", "10k", "100k", "1m"])
    return BenchConfig(settings=settings, **overrides)  # type: ignore[arg-type]


def write(results: dict[str, object], output: Path) -> tuple[Path, Path]:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(results), encoding="utf-8")
    json_path = output.with_suffix(".json")
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return output, json_path


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.render:
        args.output.write_text(render(json.loads(args.render.read_text(encoding="utf-8"))), encoding="utf-8")
        print(args.output)
        return
    command = "python -m wuxue.evaluation.bench " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    results = Suite(config_from(args, command.strip())).run()
    markdown, json_path = write(results, args.output)
    print(f"{markdown}\n{json_path}")


if __name__ == "__main__":
    main()
