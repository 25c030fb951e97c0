"""What a file is, decided from its content (never its name), and said in words.

Analysts receive tables as markdown/pipe text cut from PDFs, tab-separated text, CSV exports
(UTF-8, UTF-8 with a byte-order mark, or Windows-1252 where ``£`` is the byte 0xA3), Excel
workbooks (``.xlsx``, ``.xls``) and OpenDocument spreadsheets (``.ods``), and JSON from APIs.
A file called ``.csv`` may be a workbook and a ``.txt`` may be a CSV, so every reader asks
this module what the bytes are.

This module works on bytes already read (the I/O layer, :mod:`kassanalysis.io`, reads them);
it parses but never opens a path itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from kassanalysis.text import split_lines

#: Containers a file can be.
WORKBOOKS = ("xlsx", "xls", "ods")
#: Layouts of a text file.
TEXT_LAYOUTS = ("pipe", "tab", "csv", "spaced", "prose")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SAMPLE_LINES = 60
_LABELLED = re.compile(r"^\s*[A-Za-z][^,:]{0,60}:\s")

_CONTAINER_WORDS = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel 97-2003 workbook (.xls)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "json": "a JSON document",
    "zip": "a zip archive that is not a spreadsheet",
    "ole2": "an old-style Office file that is not an Excel workbook",
    "pdf": "a PDF document",
    "binary": "a binary file",
    "empty": "an empty file",
}
_LAYOUT_WORDS = {
    "pipe": "a pipe (markdown) table",
    "tab": "a tab-separated table",
    "csv": "a CSV (comma-separated) table",
    "spaced": "a table in text from a PDF (a label, then figures separated by spaces)",
    "prose": "plain text with no table",
}


class TableLines(list):
    """Lines of a table as read, with what they were read from.

    A plain list of str (every cleaner taking ``lines`` accepts it), plus ``layout``
    (``pipe``, ``tab``, ``csv`` or ``prose``: how to split the lines into cells),
    ``encoding`` and, for a workbook sheet turned into tab-separated lines, ``sheet``.

    Examples
    --------
    >>> lines = TableLines(["a,b", "1,2"], layout="csv")
    >>> lines[1], lines.layout, lines.sheet
    ('1,2', 'csv', None)
    """

    def __init__(self, lines=(), *, layout=None, encoding=None, sheet=None):
        super().__init__(lines)
        self.layout, self.encoding, self.sheet = layout, encoding, sheet


class FormatError(ValueError):
    """A file that is not what the reader asked for it expects (one line, names the file)."""


@dataclass(frozen=True)
class FileFormat:
    """What a file is.

    Attributes
    ----------
    container : str
        ``text``, ``xlsx``, ``xls``, ``ods``, ``json``, ``zip``, ``ole2``, ``pdf``,
        ``binary`` or ``empty``.
    layout : str or None
        For text: ``pipe``, ``tab``, ``csv`` or ``prose``; None otherwise.
    encoding : str or None
        For text: the Python codec that decodes it (``utf-8``, ``utf-8-sig``, ``cp1252``,
        ``utf-16``).
    """

    container: str
    layout: str | None = None
    encoding: str | None = None

    @property
    def is_workbook(self) -> bool:
        return self.container in WORKBOOKS

    @property
    def is_table_text(self) -> bool:
        return self.container == "text" and self.layout in ("pipe", "tab", "csv")

    @property
    def name(self) -> str:
        """One word for the format: the layout of a text file, else the container.

        Examples
        --------
        >>> FileFormat("text", "csv", "utf-8").name, FileFormat("xlsx").name
        ('csv', 'xlsx')
        """
        return self.layout if self.container == "text" and self.layout else self.container

    def words(self) -> str:
        """The format in words, with the text encoding when it is not plain UTF-8.

        Examples
        --------
        >>> FileFormat("text", "csv", "cp1252").words()
        'a CSV (comma-separated) table (Windows-1252 text)'
        >>> FileFormat("ods").words()
        'an OpenDocument spreadsheet (.ods)'
        """
        if self.container != "text":
            return _CONTAINER_WORDS.get(self.container, self.container)
        words = _LAYOUT_WORDS.get(self.layout or "prose", "text")
        encoding = {"utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
        if self.encoding in encoding:
            words += f" ({encoding[self.encoding]} text)"
        return words


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes; return ``(text, codec)``.

    UTF-8 with or without a byte-order mark, UTF-16 with one, else Windows-1252 (the code
    page of ONS and NHS Digital CSV exports: ``£`` is the single byte 0xA3).

    Raises
    ------
    FormatError
        The bytes are not text in any of these encodings.

    Examples
    --------
    >>> decode_text("£5".encode("utf-8"))
    ('£5', 'utf-8')
    >>> decode_text(b"\\xef\\xbb\\xbfa,b")
    ('a,b', 'utf-8-sig')
    >>> decode_text(b"\\xa35")
    ('£5', 'cp1252')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FormatError(f"not text in UTF-8 or Windows-1252 (byte {exc.start})") from exc


def detect_layout(lines: list[str]) -> str:
    """The table layout of text lines: ``pipe``, ``tab``, ``csv`` or ``prose``.

    Looks at the first non-blank lines: pipe when at least two start with ``|`` and they
    outnumber tab-separated lines; tab when most hold a tab; csv when most lines split on
    commas (quotes respected) into the same number (two or more) of fields, unless most
    read as ``Label: figure`` sentences; spaced (a table in text from a PDF) when a third
    or more (and at least two) end with the same number (two or more) of figures after a
    label; else prose.

    Examples
    --------
    >>> detect_layout(["| a | b |", "|---|---|", "| 1 | 2 |"])
    'pipe'
    >>> detect_layout(["a\\tb", "1\\t2"])
    'tab'
    >>> detect_layout(['Service,Gross', '"Older People, residential","1,234"'])
    'csv'
    >>> detect_layout(["Gross Expenditure: £265,982700", "Net: £1"])
    'prose'
    >>> detect_layout(["Service Budget Forecast", "Older People 97.5 124.9", "Sensory 0.7 0.7"])
    'spaced'
    """
    sample = [line for line in lines if line.strip()][:_SAMPLE_LINES]
    if not sample:
        return "prose"
    pipes = sum(line.lstrip().startswith("|") for line in sample)
    tabs = sum("\t" in line for line in sample)
    if pipes >= 2 and pipes >= tabs:
        return "pipe"
    if tabs * 2 >= len(sample) and tabs >= 1:
        return "tab"
    labelled = sum(bool(_LABELLED.match(line)) for line in sample)
    if labelled * 2 >= len(sample):
        return "prose"  # "Gross Expenditure: £265,982700" is a sentence, not two fields
    counts = Counter(len(fields) for fields in csv.reader(sample))
    width, rows = counts.most_common(1)[0]
    if width >= 2 and len(sample) >= 2 and rows * 5 >= len(sample) * 4:
        return "csv"
    # A CSV whose title lines come before the table: most lines at one width.
    if width >= 3 and rows * 2 > len(sample):
        return "csv"
    # Text from a PDF: most lines a label followed by the same number (2+) of figures.
    figures = Counter(n for n in (_trailing_figures(line) for line in sample) if n >= 2)
    if figures and figures.most_common(1)[0][1] >= max(2, len(sample) / 3):
        return "spaced"
    return "prose"


_FIGURE = re.compile(r"^\(?[-\u2212]?£?\d[\d,]*(?:\.\d+)?\)?%?$")


def _trailing_figures(line: str) -> int:
    """How many figures end a line after a label (``Older People 97.5 124.9 27.4`` -> 3)."""
    words = line.split()
    n = 0
    while n < len(words) - 1 and _FIGURE.match(words[-1 - n]):
        n += 1
    return n


def sniff(data: bytes) -> FileFormat:
    """Decide what a file is from its bytes.

    Magic numbers first: a zip holding ``xl/`` is an Excel workbook, one whose ``mimetype``
    is the OpenDocument spreadsheet type (or that holds ``content.xml``) an ``.ods``; the
    OLE2 signature is an ``.xls``. Otherwise text: JSON when it parses as JSON, else the
    table layout of its lines (see :func:`detect_layout`).

    Examples
    --------
    >>> sniff(b"a,b\\n1,2\\n")
    FileFormat(container='text', layout='csv', encoding='utf-8')
    >>> sniff(b'{"E10000016": []}').container
    'json'
    >>> sniff(b"").container
    'empty'
    """
    if not data.strip():
        return FileFormat("empty")
    if data.startswith(_ZIP):
        return FileFormat(_zip_kind(data))
    if data.startswith(_OLE2):
        return FileFormat("xls" if _calamine_opens(data) else "ole2")
    if data.startswith(b"%PDF"):
        return FileFormat("pdf")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return FileFormat("binary")
    try:
        text, encoding = decode_text(data)
    except FormatError:
        return FileFormat("binary")
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(text)
            return FileFormat("json", encoding=encoding)
        except ValueError:
            pass
    return FileFormat("text", detect_layout(split_lines(text)), encoding)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return "ods"
            if "content.xml" in names:
                return "ods"
    except zipfile.BadZipFile:
        return "binary"
    return "zip"


def _calamine_opens(data: bytes) -> bool:
    try:
        workbook_sheets(data)
    except Exception:  # calamine raises its own types for a file it cannot read
        return False
    return True


def workbook_sheets(data: bytes, *, limit: int | None = None) -> dict[str, list[list]]:
    """Every sheet of a workbook (xlsx, xls or ods) as rows of cell values.

    Parameters
    ----------
    data : bytes
        The workbook file's bytes.
    limit : int, optional
        Read at most this many rows of each sheet (for a quick look).

    Returns
    -------
    dict of str to list of list
        Sheet name to rows; cells are str, float, int, bool, dates or ``""`` for blank.

    Raises
    ------
    FormatError
        calamine cannot read the bytes as a workbook.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            sheets[name] = sheet.to_python(skip_empty_area=False, nrows=limit)
        return sheets
    except Exception as exc:  # calamine's errors carry no common base class
        raise FormatError(f"not a readable workbook ({exc})") from exc


def cell_text(value: object) -> str:
    """A workbook cell as the text a reader would see (whole floats without ``.0``).

    Examples
    --------
    >>> cell_text(12.0), cell_text(0.25), cell_text(None), cell_text(" a\\tb ")
    ('12', '0.25', '', 'a b')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return " ".join(str(value).split())


def text_rows(text: str, layout: str, *, limit: int | None = None) -> list[list[str]]:
    """The first rows of a text table as cells (pipe separator lines dropped).

    Examples
    --------
    >>> text_rows("| a | b |\\n|---|---|\\n| 1 | 2 |", "pipe")
    [['a', 'b'], ['1', '2']]
    >>> text_rows('x,"1,234"\\n', "csv")
    [['x', '1,234']]
    """
    lines = [line for line in split_lines(text) if line.strip()]
    if limit is not None:
        lines = lines[: limit * 2]
    if layout == "csv":
        rows = [[c.strip() for c in r] for r in csv.reader(lines)]
    elif layout == "tab":
        rows = [[c.strip() for c in line.split("\t")] for line in lines]
    elif layout == "pipe":
        rows = []
        for line in lines:
            stripped = line.strip()
            if not stripped.startswith("|"):
                continue
            body = stripped.strip("|")
            if set(body.replace("|", "").replace(":", "").strip()) <= {"-"}:
                continue
            rows.append([c.strip() for c in body.split("|")])
    elif layout == "spaced":  # a label, then figures separated by spaces (text from a PDF)
        rows = [_split_spaced(line) for line in lines]
    else:
        rows = [[line.strip()] for line in lines]
    return rows[:limit] if limit is not None else rows


_FIGURE = re.compile(r"^[-+]?\(?£?[-+]?[\d,]*\.?\d+\)?%?$")


def _split_spaced(line: str) -> list[str]:
    """A line of a space-separated table as its label and its trailing figures.

    Examples
    --------
    >>> _split_spaced("Older People - Residential Care Services 97.5 124.9 27.4")
    ['Older People - Residential Care Services', '97.5', '124.9', '27.4']
    >>> _split_spaced("Directorate, Division & Key Service Budget Forecast Variance")
    ['Directorate, Division & Key Service Budget Forecast Variance']
    """
    words = line.split()
    cut = len(words)
    while cut > 1 and _FIGURE.match(words[cut - 1]):
        cut -= 1
    return [" ".join(words[:cut]), *words[cut:]] if cut < len(words) else [line.strip()]


def _columns_words(header: list[str], most: int = 8) -> str:
    named = [c for c in header if c]
    shown = ", ".join(repr(c) for c in named[:most])
    return shown + (f" and {len(named) - most} more" if len(named) > most else "")


def describe(data: bytes, fmt: FileFormat | None = None) -> str:
    """What a file is, in words a user recognises.

    Examples
    --------
    >>> describe(b"area,value\\nE1,2\\nE2,3\\n")
    "a CSV (comma-separated) table of 2 data rows with columns 'area', 'value'"
    >>> describe(b"| a | b |\\n|---|---|\\n| 1 | 2 |\\n")
    'a pipe (markdown) table with 2 rows of 2 columns'
    >>> describe(b"")
    'an empty file'
    """
    fmt = fmt or sniff(data)
    if fmt.is_workbook:
        try:
            sheets = workbook_sheets(data, limit=2)
        except FormatError:
            return fmt.words() + " that cannot be opened"
        parts = []
        for name, rows in sheets.items():
            header = next((r for r in rows if any(cell_text(c) for c in r)), None)
            if header is None:
                parts.append(f"{name!r} (empty)")
            else:
                parts.append(
                    f"{name!r} (columns {_columns_words([cell_text(c) for c in header], 4)})"
                )
        noun = "sheet" if len(parts) == 1 else "sheets"
        return f"{fmt.words()} with {noun} {'; '.join(parts)}"
    if fmt.container == "json":
        try:
            document = json.loads(decode_text(data)[0])
        except ValueError:
            return fmt.words()
        if isinstance(document, dict):
            return f"{fmt.words()} (an object with {len(document)} keys)"
        return f"{fmt.words()} (a list of {len(document)} items)"
    if fmt.container != "text":
        return fmt.words()
    text = decode_text(data)[0]
    rows = text_rows(text, fmt.layout or "prose")
    if fmt.layout == "csv":
        columns = _columns_words(rows[0])
        return f"{fmt.words()} of {len(rows) - 1} data rows with columns {columns}"
    if fmt.layout in ("pipe", "tab"):
        width = max((len(r) for r in rows), default=0)
        return f"{fmt.words()} with {len(rows)} rows of {width} columns"
    return f"{fmt.words()} ({len(rows)} non-blank lines)"


__all__ = [
    "TEXT_LAYOUTS",
    "WORKBOOKS",
    "FileFormat",
    "FormatError",
    "TableLines",
    "cell_text",
    "decode_text",
    "describe",
    "detect_layout",
    "sniff",
    "text_rows",
    "workbook_sheets",
]
