"""The catalogue of raw tables (``data/raw/catalogue.yml``), loaded into checked objects.

The catalogue is how a new table joins the build: describe the file, its kind, its
authority, year and units, and (only when the header is lost or garbled) its column layout.
No code change is needed for a new table of a known kind.

The entry model, the kinds and the units are defined with the other configuration models
in :mod:`kassanalysis.config` (a new kind goes in ``config.KINDS``, a new field in
``config.CatalogueEntry``); the cleaners import them from here.
"""

from __future__ import annotations

from typing import Any

from kassanalysis.config import (
    KINDS,
    TEXT_FORMATS,
    TEXT_KINDS,
    UNITS,
    Catalogue,
    CatalogueEntry,
    ConfigError,
    validate_config,
)

__all__ = [
    "KINDS",
    "TEXT_FORMATS",
    "TEXT_KINDS",
    "UNITS",
    "CatalogueEntry",
    "CatalogueError",
    "parse_catalogue",
]

# The catalogue's errors are configuration errors (one line per problem: file, table, field).
CatalogueError = ConfigError


def parse_catalogue(document: dict[str, Any], *, where: str = "catalogue") -> list[CatalogueEntry]:
    """Check a loaded catalogue document and return its entries.

    Every problem is collected, so one run reports them all.

    Raises
    ------
    CatalogueError
        One line per problem, naming ``where``, the table id and the field.

    Examples
    --------
    >>> doc = {"tables": [{"id": "t", "file": "t.txt", "kind": "budget_table",
    ...         "format": "pipe", "authority": "E10000016", "source": {}, "licence": "OGL"}]}
    >>> parse_catalogue(doc)[0].kind
    'budget_table'
    >>> parse_catalogue({"tables": [{"id": "t"}]})
    Traceback (most recent call last):
    ...
    kassanalysis.config.ConfigError: catalogue: table 't': field 'file': missing
    catalogue: table 't': field 'kind': missing
    """
    return list(validate_config(document, Catalogue, where).tables)
