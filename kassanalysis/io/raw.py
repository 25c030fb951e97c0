"""Reading raw files by their content, never their name: a file's format, a quick preview
for recognising its kind, its lines or text frames, and each catalogued file in the form its
cleaner expects (:func:`read_raw`). ``data/raw`` is only ever read."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from kassanalysis import formats, kinds
from kassanalysis.catalogue import QUARTERLY_PARTS as QUARTERLY_PARTS
from kassanalysis.catalogue import CatalogueEntry, quarterly_part
from kassanalysis.io.paths import confined_path
from kassanalysis.text import split_lines as split_lines


def read_file_format(path: Path) -> tuple[bytes, formats.FileFormat]:
    """A file's bytes and what they are (decided from the content, not the name)."""
    data = Path(path).read_bytes()
    return data, formats.sniff(data)


def describe_file(path: Path) -> str:
    """What a file is, in words ("an Excel workbook (.xlsx) with sheet 'A' ...")."""
    data, fmt = read_file_format(path)
    return formats.describe(data, fmt)


def read_text_lines(path: Path) -> formats.TableLines:
    """Lines of a text file (UTF-8, UTF-8 with BOM or Windows-1252), with the table layout
    found in them (``pipe``, ``tab``, ``csv`` or ``prose``) as ``.layout``.

    Raises
    ------
    FormatError
        The file is not text (a workbook, a PDF, a binary file): the message says what it is.
    """
    data, fmt = read_file_format(path)
    if fmt.container not in ("text", "json"):
        raise formats.FormatError(f"is {formats.describe(data, fmt)}, not a text file")
    text, encoding = formats.decode_text(data)
    return formats.TableLines(split_lines(text), layout=fmt.layout, encoding=encoding)


def read_table_lines(path: Path, sheet: str | None = None) -> formats.TableLines:
    """A table as lines, whatever the file: text as read (see :func:`read_text_lines`), or
    one sheet of a workbook (``sheet``, else the first with data) as tab-separated lines,
    one per sheet row, so line numbers are sheet row numbers."""
    data, fmt = read_file_format(path)
    if not fmt.is_workbook:
        return read_text_lines(path)
    sheets = formats.workbook_sheets(data)
    if sheet is not None and sheet not in sheets:
        raise formats.FormatError(f"has no sheet {sheet!r}; it is {formats.describe(data, fmt)}")
    names = [sheet] if sheet else list(sheets)
    for name in names:
        rows = ["\t".join(formats.cell_text(c) for c in row) for row in sheets[name]]
        if sum(1 for r in rows if r.strip()) >= 2:
            return formats.TableLines(rows, layout="tab", sheet=name)
    raise formats.FormatError(f"is {formats.describe(data, fmt)}, with no table of two rows")


def read_frames(
    path: Path, *, header: int | None = 0, keep_default_na: bool = False
) -> dict[str, pd.DataFrame]:
    """A table file as text frames by sheet, whatever its format.

    A workbook gives one frame per sheet; a CSV or tab-separated text file (any of the
    encodings of :func:`kassanalysis.formats.decode_text`) gives one frame named after the
    file. Cells are text (blank is ``""``, or NaN with ``keep_default_na``, as pandas reads
    its default missing markers) so cleaners see exactly what was published.

    Raises
    ------
    FormatError
        The file holds no table (prose, JSON, a PDF...).
    """
    path = Path(path)
    data, fmt = read_file_format(path)
    if fmt.is_workbook:
        return pd.read_excel(
            path,
            sheet_name=None,
            header=header,
            dtype=str,
            engine="calamine",
            keep_default_na=keep_default_na,
        )
    if fmt.container == "text" and fmt.layout in ("csv", "tab"):
        text, _ = formats.decode_text(data)
        frame = pd.read_csv(
            StringIO(text),
            sep="," if fmt.layout == "csv" else "\t",
            header=header,
            dtype=str,
            keep_default_na=keep_default_na,
            skip_blank_lines=True,
        )
        return {path.stem: frame}
    raise formats.FormatError(f"is {formats.describe(data, fmt)}, not a table")


PREVIEW_ROWS = 30
# Lines of a text file looked at to recognise its kind: a council report prints its KPI boxes
# after pages of narrative (Kent's Q3 2024-25 report: from line 150 to 280).
PREVIEW_LINES = 2000


def preview_file(path: Path) -> kinds.Preview:
    """A quick look at a file for recognising its kind: format, description, first rows."""
    path = Path(path)
    data, fmt = read_file_format(path)
    description = formats.describe(data, fmt)
    sheets: dict[str, list[list[str]]] = {}
    lines: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    if fmt.is_workbook:
        try:
            book = formats.workbook_sheets(data, limit=PREVIEW_ROWS)
        except formats.FormatError:
            book = {}
        sheets = {
            name: [[formats.cell_text(c) for c in row] for row in rows]
            for name, rows in book.items()
        }
    elif fmt.container == "json":
        document = json.loads(formats.decode_text(data)[0])
        keys = tuple(document)[:50] if isinstance(document, dict) else ()
    elif fmt.container == "text":
        text, _ = formats.decode_text(data)
        lines = tuple(split_lines(text)[:PREVIEW_LINES])
        sheets = {path.name: formats.text_rows(text, fmt.layout or "prose", limit=PREVIEW_ROWS)}
    return kinds.Preview(path.name, fmt, description, sheets, lines, keys)


def check_format(entry: CatalogueEntry, path: Path) -> formats.FileFormat:
    """The file's format, if its kind reads it.

    Raises
    ------
    FormatError
        One line: what the file is and what the kind expects.
    """
    data, fmt = read_file_format(path)
    reading = kinds.kind_reading(entry.kind)
    if fmt.name not in reading.accepts:
        raise formats.FormatError(
            f"is {formats.describe(data, fmt)}; {entry.kind} reads {reading.expects}"
        )
    return fmt


def read_raw(entry: CatalogueEntry, raw_dir: Path, *, confine: bool = True) -> Any:
    """Read one catalogued raw file in the form its cleaner expects.

    The format is decided from the file's content: a CSV named ``.txt`` or a workbook
    named ``.csv`` is read as what it is. With ``confine`` (the build) the file, and the
    parts of a quarterly return, must be inside ``raw_dir`` once links are followed
    (:func:`confined_path`); ``kass check`` reads a file from anywhere.

    Raises
    ------
    FileNotFoundError
        The file is not there.
    FormatError
        The file is not a format its kind reads (one line: what it is, what is expected).
    RawPathError
        With ``confine``: the file leads outside ``raw_dir``.
    """
    path = confined_path(raw_dir, entry.file) if confine else Path(raw_dir) / entry.file
    if confine and entry.kind == "quarterly_return":
        for part in QUARTERLY_PARTS:
            if "#" not in quarterly_part(entry.file, part):
                confined_path(raw_dir, quarterly_part(entry.file, part))
    if not path.is_file():
        raise FileNotFoundError(
            f"{entry.file}: listed in the catalogue as {entry.id!r} but not found in {raw_dir}"
        )
    fmt = check_format(entry, path)
    if entry.kind == "oflog_outcomes":
        return next(iter(read_frames(path).values()))
    if entry.kind == "indicator_export":
        return first_sheet(path)
    if entry.kind == "deprivation":
        if fmt.is_workbook:
            return read_frames(path, header=None)
        return {path.name: read_csv_text(path, header=None)}
    if entry.kind == "nearest_neighbours":
        if fmt.container == "json":
            return json.loads(formats.decode_text(path.read_bytes())[0])
        return first_sheet(path)
    if entry.kind == "ascof_open_data":
        return first_sheet(path)
    if entry.kind in ("ons_mye2", "ons_mye_series"):
        if fmt.is_workbook:
            return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
        return {path.name: read_csv_text(path, header=None)}
    if entry.kind == "asc_fr":
        return first_sheet(path, header=None)
    if entry.kind == "quarterly_return":
        return read_quarterly_return(path, workbook=fmt.is_workbook)
    return read_table_lines(path)


def read_csv_text(path: Path, *, header: int | None = 0) -> pd.DataFrame:
    """A comma-separated file as text cells (nothing turned into NaN), in any encoding
    :func:`kassanalysis.formats.decode_text` reads. With ``header=None`` blank lines are
    kept, so row ``i`` is line ``i + 1`` of the file."""
    text, _ = formats.decode_text(Path(path).read_bytes())
    return pd.read_csv(
        StringIO(text),
        dtype=str,
        keep_default_na=False,
        header=header,
        skip_blank_lines=header is not None,
    )


def first_sheet(path: Path, *, header: int | None = 0) -> pd.DataFrame:
    """The first sheet of a workbook (its name in ``attrs["sheet_name"]``) or a CSV, as
    text cells (blank is ``""``); the format is taken from the content."""
    _, fmt = read_file_format(path)
    if not fmt.is_workbook:
        return read_csv_text(path, header=header)
    name, frame = next(iter(read_frames(path, header=header).items()))
    frame = frame.fillna("")
    frame.attrs["sheet_name"] = name
    return frame


def read_quarterly_return(path: Path, workbook: bool | None = None) -> dict[str, pd.DataFrame]:
    """Read a quarterly return (CSV folder pair or Excel workbook) as text frames by sheet.

    An Excel return has sheets ``indicators`` and ``budget``; a CSV return is two files
    ``<name>.indicators.csv`` and ``<name>.budget.csv`` (``path`` names either one's stem).
    Cells are read as text so the cleaner sees exactly what was typed.
    """
    path = Path(path)
    if workbook is None:
        workbook = read_file_format(path)[1].is_workbook
    if workbook:
        return pd.read_excel(
            path, sheet_name=None, dtype=str, engine="calamine", keep_default_na=False
        )
    sheets = {}
    indicators = path.with_name(PurePosixPath(quarterly_part(path.name, "indicators")).name)
    if indicators.is_file():
        sheets["indicators"] = pd.read_csv(indicators, dtype=str, keep_default_na=False)
    budget = path.with_name(PurePosixPath(quarterly_part(path.name, "budget")).name)
    if budget.is_file():
        # Text columns as text; amounts are parsed by pandas where they are plain numbers
        # (fast for large ledgers). Only a blank cell counts as missing: "N/A" stays text.
        sheets["budget"] = pd.read_csv(
            budget,
            dtype={"cost_centre": "category", "line": "category", "period": "category"},
            keep_default_na=False,
            na_values=[""],
        )
    return sheets
