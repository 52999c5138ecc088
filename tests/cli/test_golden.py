"""The CLI's ``--json`` output for 20 seed questions, byte for byte as recorded before the package was restructured.
After a deliberate change of ranking or answers, refresh it: BERITA_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_golden.py"""

import os
from pathlib import Path

from tests.conftest import run_module

GOLDEN = Path(__file__).parent / "golden"


def test_cli_json_for_the_seed_questions_is_unchanged(seed_settings):
    queries = (GOLDEN / "queries.txt").read_text(encoding="utf-8").splitlines()
    proc = run_module("search", "--json", "--k", "5", "--index", str(seed_settings.storage.index_dir), *queries)
    assert proc.returncode == 0, proc.stderr
    if os.environ.get("BERITA_UPDATE_GOLDEN"):
        (GOLDEN / "cli_seed.jsonl").write_text(proc.stdout, encoding="utf-8")
    expected = (GOLDEN / "cli_seed.jsonl").read_text(encoding="utf-8")
    assert len(queries) == 20 and proc.stdout.splitlines() == expected.splitlines()
