"""No module over about 600 lines and no function over about 80 (issue 10), unless the
module says why in a comment beginning ``# size-note:``.

What is measured: a module's lines as the file has them; a function's body from its first
statement after the docstring to its last line (a NumPy docstring with examples is
documentation, not size). Nested functions count on their own as well as within their
parent. A module with a ``size-note`` is exempt from both limits.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kassanalysis"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MODULES = sorted(PACKAGE.rglob("*.py"))


def has_size_note(text: str) -> bool:
    return any(line.lstrip().startswith("# size-note:") for line in text.splitlines())


def function_lengths(text: str) -> dict[str, int]:
    """Body length of every function, by qualified-ish name (``outer.inner``)."""
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = child.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)
                ):
                    body = body[1:]
                name = f"{prefix}{child.name}"
                if body:
                    lengths[name] = body[-1].end_lineno - body[0].lineno + 1
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(text), "")
    return lengths


def test_function_lengths_are_measured_without_the_docstring():
    text = 'def f():\n    """Doc.\n\n    More.\n    """\n    a = 1\n    return a\n'
    assert function_lengths(text) == {"f": 2}
    nested = "class C:\n    def m(self):\n        def g():\n            pass\n        return g\n"
    assert function_lengths(nested) == {"C.m": 3, "C.m.g": 1}


def test_a_size_note_must_begin_a_comment():
    assert has_size_note("x = 1\n# size-note: cohesive statistics\n")
    assert not has_size_note('text = "# size-note: inside a string"\n')


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    if has_size_note(text):
        return
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{path.name} has {lines} lines; split it, or say why in a '# size-note:' comment"
    )
    long = {n: k for n, k in function_lengths(text).items() if k > MAX_FUNCTION_LINES}
    assert long == {}, f"functions over {MAX_FUNCTION_LINES} lines: {long}"
