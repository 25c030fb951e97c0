"""The package's layers import only downward (issue 10).

What is checked, on every module's imports as parsed with ``ast`` (module level and inside
functions alike; imports under ``if TYPE_CHECKING:`` are for type hints only and are not
counted):

* foundation modules (vocabulary, periods, problems, schemas, formatting) import nothing
  from the package but each other: every layer may use them;
* ``clean`` never imports analysis, report, publish, charts or the runners, nor the I/O
  module (a cleaner is handed its input: io reads, build passes);
* ``analysis`` never imports clean, report, publish, charts, the I/O module, the reference
  reader or the runners: analyses are pure functions of frames;
* ``report`` does not compute: it never imports clean, never imports numpy or scipy
  (numeric work belongs in analysis), never imports another module's private names, and
  uses analysis only through its public modules (not ``analysis.observations``, the
  analyses' shared internals).

"Does not compute" cannot be proved from imports; these are the parts of it a machine can
check. The rule is listed in the brief as "clean never imports analysis/report; analysis
never imports clean, report or publish; report does not compute".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kassanalysis"
RUNNERS = ("kassanalysis.build", "kassanalysis.pack", "kassanalysis.cli", "kassanalysis.check")
FOUNDATION = (
    "kassanalysis.vocabulary",
    "kassanalysis.periods",
    "kassanalysis.problems",
    "kassanalysis.schemas",
    "kassanalysis.formatting",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, module: str | None = None) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for every import in the file, relative imports
    resolved, type-checking-only imports left out."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.extend((base, alias.name) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def targets_of(path: Path, module: str | None = None) -> set[str]:
    """Modules a file imports: ``from kassanalysis import io`` counts as kassanalysis.io."""
    targets = set()
    for imported, name in imports_of(path, module):
        targets.add(imported)
        if name and name != "*":
            targets.add(f"{imported}.{name}")
    return targets


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def in_layer(layer: str) -> list[str]:
    return [m for m in MODULES if m == layer or m.startswith(layer + ".")]


def breaks(module: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        t
        for t in targets_of(MODULES[module])
        if any(t == f or t.startswith(f + ".") for f in forbidden)
    )


def test_the_layers_are_found():
    # a guard against a test that checks nothing: the packages are where the rule says
    assert in_layer("kassanalysis.clean") and in_layer("kassanalysis.analysis")
    assert in_layer("kassanalysis.report") and all(m in MODULES for m in FOUNDATION)


def test_the_import_parser_sees_every_form_of_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "from kassanalysis import io as kio\n"
        "from ..analysis import stats\n"
        "def f():\n    import kassanalysis.report.html\n"
        "if TYPE_CHECKING:\n    from kassanalysis.pack import PackConfig\n",
        encoding="utf-8",
    )
    targets = targets_of(sample, "kassanalysis.clean.sample")
    assert {"kassanalysis.io", "kassanalysis.analysis.stats", "kassanalysis.report.html"} <= (
        targets
    )
    assert "kassanalysis.pack" not in targets


@pytest.mark.parametrize("module", FOUNDATION)
def test_foundation_modules_import_only_each_other(module):
    inside = {t for t in targets_of(MODULES[module]) if t.startswith("kassanalysis.")}
    assert {t for t in inside if not t.startswith(FOUNDATION)} == set()


@pytest.mark.parametrize("module", in_layer("kassanalysis.clean"))
def test_clean_never_imports_analysis_report_publish_or_io(module):
    forbidden = (
        "kassanalysis.analysis",
        "kassanalysis.report",
        "kassanalysis.publish",
        "kassanalysis.charts",
        "kassanalysis.io",
        "kassanalysis.api",
        *RUNNERS,
    )
    assert breaks(module, forbidden) == []


@pytest.mark.parametrize("module", in_layer("kassanalysis.analysis"))
def test_analysis_never_imports_clean_report_publish_or_io(module):
    forbidden = (
        "kassanalysis.clean",
        "kassanalysis.report",
        "kassanalysis.publish",
        "kassanalysis.charts",
        "kassanalysis.io",
        "kassanalysis.api",
        "kassanalysis.reference",
        "kassanalysis.catalogue",
        "kassanalysis.config",
        *RUNNERS,
    )
    assert breaks(module, forbidden) == []


@pytest.mark.parametrize("module", in_layer("kassanalysis.report"))
def test_report_does_not_compute(module):
    path = MODULES[module]
    assert breaks(module, ("kassanalysis.clean", "kassanalysis.analysis.observations")) == []
    assert breaks(module, ("numpy", "scipy")) == []
    private = [
        f"{m}.{name}"
        for m, name in imports_of(path)
        if m.startswith("kassanalysis") and name and name.startswith("_") and name != "__version__"
    ]
    assert private == []
