"""kassanalysis: tidy, validated adult social care budget and KPI data, and the analyses on it.

>>> import kassanalysis
>>> kassanalysis.__version__
'0.1.0'

The public API is imported on first use so that ``import kassanalysis`` stays fast::

    budget = kassanalysis.load("budget_lines")
    kassanalysis.trace(budget.iloc[0])   # where a figure came from
"""

from __future__ import annotations

__version__ = "0.1.0"

_API = {
    "load": "kassanalysis.api",
    "load_reference": "kassanalysis.api",
    "load_divisions": "kassanalysis.api",
    "load_comparator_groups": "kassanalysis.api",
    "get_division": "kassanalysis.api",
    "trace": "kassanalysis.api",
    "list_tables": "kassanalysis.api",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'kassanalysis' has no attribute {name!r}")
