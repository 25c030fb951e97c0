"""Format detection from content: every expectation below is what the bytes are, by hand."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import formats
from kassanalysis import io as kio

ROOT = Path(__file__).resolve().parents[2]

_ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
 xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Budget">
<table:table-row><table:table-cell office:value-type="string"><text:p>Service</text:p>
</table:table-cell><table:table-cell office:value-type="string"><text:p>Net £m</text:p>
</table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>Adults</text:p>
</table:table-cell><table:table-cell office:value-type="float" office:value="12.5">
<text:p>12.5</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def make_ods() -> bytes:
    """A one-sheet OpenDocument spreadsheet built by hand (Service / Net £m; Adults 12.5)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", _ODS_CONTENT)
    return buffer.getvalue()


def make_xlsx(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name=sheet, index=False, engine="openpyxl")
    return buffer.getvalue()


def test_windows_1252_pound_is_byte_a3():
    text, codec = formats.decode_text(b"Area,Cost \xa3m\nKent,1.5\n")
    assert codec == "cp1252"
    assert text.splitlines()[0] == "Area,Cost £m"


def test_utf8_bom_is_dropped():
    fmt = formats.sniff(b"\xef\xbb\xbfa,b\n1,2\n")
    assert (fmt.container, fmt.layout, fmt.encoding) == ("text", "csv", "utf-8-sig")


@pytest.mark.parametrize(
    ("data", "layout"),
    [
        (b"| a | b |\n|---|---|\n| 1 | 2 |\n", "pipe"),
        (b"a\tb\n1\t2\n", "tab"),
        (b'Service,Gross\n"Older people, residential","1,234"\n', "csv"),
        (b"Gross Expenditure: \xc2\xa3265,982700\n\nFTE: 1,278\n", "prose"),
    ],
)
def test_text_layouts(data, layout):
    assert formats.sniff(data).layout == layout


def test_workbook_named_csv_is_a_workbook(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes(make_xlsx(pd.DataFrame({"Service": ["Adults"], "Net £m": [12.5]})))
    data, fmt = kio.read_file_format(path)
    assert fmt.container == "xlsx"
    assert kio.describe_file(path) == (
        "an Excel workbook (.xlsx) with sheet 'Data' (columns 'Service', 'Net £m')"
    )


def test_ods_by_mimetype(tmp_path):
    data = make_ods()
    assert formats.sniff(data).container == "ods"
    path = tmp_path / "budget.txt"  # the name says text; the content says spreadsheet
    path.write_bytes(data)
    lines = kio.read_table_lines(path)
    assert (lines.layout, lines.sheet) == ("tab", "Budget")
    assert list(lines) == ["Service\tNet £m", "Adults\t12.5"]


def test_xls_by_ole2_signature():
    path = ROOT / "data/raw/public/ons-mye/ukmidyearestimates20192020ladcodes.xls"
    assert kio.read_file_format(path)[1].container == "xls"


def test_csv_in_cp1252_read_as_frame(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(b"area_code,Spend \xa3000\nE10000016,1\n")
    frame = next(iter(kio.read_frames(path).values()))
    assert list(frame.columns) == ["area_code", "Spend £000"]
    assert frame.iloc[0].tolist() == ["E10000016", "1"]


def test_text_of_a_workbook_is_refused_with_what_it_is(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(make_xlsx(pd.DataFrame({"x": [1]}), sheet="S"))
    with pytest.raises(formats.FormatError, match=r"is an Excel workbook \(.xlsx\) with sheet 'S'"):
        kio.read_text_lines(path)


def test_empty_and_pdf():
    assert formats.describe(b"  \n") == "an empty file"
    assert formats.sniff(b"%PDF-1.7 ...").container == "pdf"
