"""Writing the benchmarks' figures (bench/results/*.json)."""

from __future__ import annotations

import json
from pathlib import Path


def write_results(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
