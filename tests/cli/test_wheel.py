"""A newcomer's install: a wheel (not editable) in a fresh virtual environment, used from outside the repository."""

import json
import subprocess
import sys
import venv

from tests.conftest import ROOT, SEEDS


def test_wheel_install_indexes_and_answers_from_another_folder(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("berita_search-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The dependencies come from the registry (or pip's cache), as for any user; the project itself from the wheel.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, timeout=600
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(*args):
        proc = subprocess.run([python, *args], cwd=elsewhere, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    where = run("-c", "import berita; print(berita.__file__)")
    assert str(ROOT) not in where and "site-packages" in where
    run("-m", "indexer", "build", str(SEEDS), "--index", "idx")
    answer = json.loads(run("-m", "search", "--json", "--index", "idx", "How much is Allmed investing in Batang?"))[
        "answer"
    ]
    assert answer["span"] == "USD 100 juta" and answer["doc_id"] == "002_40828a4ac6eca9be" and answer["level"]
