"""Checks a part file of the reader's news training questions: everything ``bench/newsroom/check_part.py`` checks,
and that no question is over an article the newsroom benchmark asks about (training never sees its articles).
Usage: .venv/bin/python training/news/check.py training/news/part-1.jsonl"""

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(path: str) -> int:
    spec = importlib.util.spec_from_file_location("check_part", ROOT / "bench" / "newsroom" / "check_part.py")
    check_part = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(check_part)  # type: ignore[union-attr]
    failed = check_part.main(path)
    benchmark = [*(ROOT / "bench" / "newsroom").glob("*.jsonl"), *(ROOT / "bench").glob("indosum_en*questions.jsonl")]
    asked = {json.loads(line)["doc_id"] for p in benchmark for line in p.open(encoding="utf-8")}
    clashes = [
        json.loads(line)["id"] for line in Path(path).open(encoding="utf-8") if json.loads(line)["doc_id"] in asked
    ]
    if clashes:
        print(f"over articles the newsroom benchmark asks about: {', '.join(clashes)}")
    return 1 if failed or clashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
