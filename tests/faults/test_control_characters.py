"""Control characters (NUL, BEL, ESC, VT, NEL U+0085, U+2028) in names never reach the
pack's HTML: neither the index page (Jinja) nor a report page (nbconvert), whatever part
of the page carries them (title, navigation, printed output, a table, Markdown)."""

from __future__ import annotations

import nbformat
import pytest

from kassanalysis import cli
from kassanalysis.report.html import export_html
from tests.faults.conftest import DIVISIONS, PERIOD

pytestmark = pytest.mark.faults
CONTROLS = ("\x00", "\x07", "\x1b", "\x0b", "\x85", "\u2028")
#: A division name as an analyst might paste it (YAML double-quoted escapes: \0 NUL,
#: \a BEL, \e ESC, \v VT, \N NEL, \L U+2028), and what a reader must see of it.
HOSTILE_YAML = r'"Older\0 Persons\a <b>Care</b>\e\v home\N\LNorth"'
HOSTILE = "Older\x00 Persons\x07 <b>Care</b>\x1b\x0b home\x85\u2028North"
SHOWN = "Older Persons &lt;b&gt;Care&lt;/b&gt; home North"


def _notebook_showing_the_division_name(path):
    """A pack notebook that prints the division's name, shows it in a table and in
    Markdown (three ways nbconvert renders text)."""
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'division = ""\nperiod = ""\ncomparator_group = ""\noutput_dir = ""\nroot = ""\n'
        'pack_config = ""\nbenchmark_period = "latest"'
    )
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "import pandas as pd\n"
            "from IPython.display import Markdown, display\n"
            "from kassanalysis.api import load_divisions\n"
            "name = {d.id: d.name for d in load_divisions(root=root)}[division]\n"
            "print(name)\n"
            "display(pd.DataFrame({'division': [name]}))\n"
            "display(Markdown('## ' + name))"
        ),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, path)


def test_control_characters_in_a_name_reach_neither_index_nor_report(pack_tiny):
    divisions = pack_tiny.reference / "divisions.yml"
    text = divisions.read_text(encoding="utf-8")
    old_name = next(
        line.split("name:", 1)[1].strip()
        for line in text.splitlines()[text.splitlines().index(f"  - id: {DIVISIONS[0]}") :]
        if line.strip().startswith("name:")
    )
    divisions.write_text(text.replace(f"name: {old_name}", f"name: {HOSTILE_YAML}", 1))
    _notebook_showing_the_division_name(pack_tiny.notebooks / "trend.ipynb")

    assert cli.main(["--root", str(pack_tiny.root), "report", "--no-progress"]) == 0

    pack = pack_tiny.reports / PERIOD
    index = (pack / "index.html").read_text(encoding="utf-8")
    report = (pack / DIVISIONS[0] / "trend.html").read_text(encoding="utf-8")
    executed = (pack / DIVISIONS[0] / "trend.ipynb").read_text(encoding="utf-8")
    assert "Older\\u0000 Persons\\u0007" in executed  # the name did reach the notebook
    for page in (index, report):
        assert [c for c in CONTROLS if c in page] == []
        assert SHOWN in page
    assert f"<title>Trend report: {SHOWN}, {PERIOD}</title>" in report


@pytest.mark.parametrize("character", CONTROLS)
def test_export_html_drops_control_characters_everywhere(tmp_path, character):
    name = f"Care{character}home"
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=name + "\n"),
        nbformat.v4.new_output("display_data", data={"text/html": f"<td>{name}</td>"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": name}, execution_count=1),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), cell]
    source = tmp_path / "trend.ipynb"
    nbformat.write(notebook, source)

    page = export_html(
        source, tmp_path / "trend.html", title=name, navigation=[(name, "../index.html")]
    ).read_text(encoding="utf-8")

    assert character not in page
    shown = "Care home" if character == "\u2028" else "Carehome"
    assert page.count(shown) >= 5  # title, navigation, Markdown, stream, HTML, plain
