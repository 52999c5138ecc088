"""The layout of bench/ and training/: a script (a module with a ``main``) imports helper modules only, never
another script, and nothing in bench/ imports from training/. Read from the source with ``ast``, nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("bench", "training")


def modules() -> dict[str, ast.Module]:
    """Every module of bench/ and training/ by its dotted name, parsed."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def is_script(tree: ast.Module) -> bool:
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main" for node in tree.body)


def imported(name: str, tree: ast.Module) -> set[str]:
    """Every module ``tree`` (module ``name``) imports, anywhere in it (inside functions too): for ``from a import
    b`` both ``a`` and ``a.b``, since ``b`` may be a module."""
    package = name.rsplit(".", 1)[0] if "." in name else name
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package ``name`` is in, up ``level - 1`` more
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def test_the_layout_is_read_from_both_folders():
    found = modules()
    assert {"bench.quality", "bench.perf", "training.train_reader", "bench.datasets"} <= set(found)
    assert is_script(found["bench.quality"]) and not is_script(found["bench.datasets"])


def test_no_script_imports_another_script():
    found = modules()
    scripts = {name for name, tree in found.items() if is_script(tree)}
    wrong = {
        f"{name} imports {other}"
        for name in sorted(scripts)
        for other in imported(name, found[name]) & scripts - {name}
    }
    assert not wrong, sorted(wrong)


def test_nothing_in_bench_imports_from_training():
    found = modules()
    wrong = {
        f"{name} imports {other}"
        for name, tree in found.items()
        if name.split(".")[0] == "bench"
        for other in imported(name, tree)
        if other.split(".")[0] == "training"
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from bench import encoders, scale_out", {"bench", "bench.encoders", "bench.scale_out"}),
        ("import bench.quality as q", {"bench.quality"}),
        ("def f():\n    from bench.perf import synthetic", {"bench.perf", "bench.perf.synthetic"}),
        ("from .quality import ROOT", {"bench.quality", "bench.quality.ROOT"}),
        ("from . import quality", {"bench", "bench.quality"}),
    ],
)
def test_every_form_of_import_is_seen(source, expected):
    assert imported("bench.tool", ast.parse(source)) == expected
