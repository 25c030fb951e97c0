"""Reference data that analysts edit: measures, indicators, authorities, identities.

The files live in ``data/reference/``; :mod:`kassanalysis.io` reads them and this module
turns the frames into lookups. Adding an indicator, a measure alias or a council alias is an
edit to a CSV file, not to code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from kassanalysis.vocabulary import POLARITIES, normalise_header


class ReferenceError(ValueError):
    """Reference data that contradicts itself or is incomplete."""


@dataclass(frozen=True)
class Identity:
    """An arithmetic rule between measures, e.g. gross = employee + running + ..."""

    result: str
    parts: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Reference:
    """All reference lookups, checked for consistency when built."""

    measures: pd.DataFrame  # index id: name, unit_of_measure, aliases
    indicators: pd.DataFrame  # index id
    authorities: pd.DataFrame  # index ons_code
    identities: tuple[Identity, ...]

    def measure_for_header(self, header: str) -> str | None:
        """The measure whose alias is the longest match inside ``header`` (normalised).

        Examples
        --------
        >>> ref = make_reference_from_frames(
        ...     pd.DataFrame({"id": ["gross_expenditure", "net_cost"],
        ...                   "name": ["Gross expenditure", "Net cost"],
        ...                   "unit_of_measure": ["GBP thousands"] * 2,
        ...                   "aliases": ["gross expenditure", "net cost"]}))
        >>> ref.measure_for_header("Gross Expenditure £'000")
        'gross_expenditure'
        >>> ref.measure_for_header("Cabinet Member") is None
        True
        """
        key = normalise_header(header)
        best, best_len = None, 0
        for measure, aliases in self._measure_aliases.items():
            for alias in aliases:
                if alias and alias in key and len(alias) > best_len:
                    best, best_len = measure, len(alias)
        return best

    def measure_alias_keys(self) -> dict[str, list[str]]:
        """Normalised aliases of every measure (header text to look for)."""
        return self._measure_aliases

    @cached_property
    def _measure_aliases(self) -> dict[str, list[str]]:
        return {
            mid: [normalise_header(a) for a in str(row["aliases"]).split("|")]
            + [normalise_header(row["name"])]
            for mid, row in self.measures.iterrows()
        }

    def header_words(self) -> set[str]:
        """Every normalised word in measure names and aliases (header vocabulary)."""
        words: set[str] = set()
        for _, row in self.measures.iterrows():
            for text in [row["name"], *str(row["aliases"]).split("|")]:
                words.update(normalise_header(w) for w in str(text).split())
        return {w for w in words if w}

    def indicator_for_label(self, label: str) -> str | None:
        """The indicator whose published label (alias) matches ``label``."""
        key = normalise_header(label)
        for iid, aliases in self._indicator_aliases.items():
            if key in aliases:
                return iid
        return None

    @cached_property
    def _indicator_aliases(self) -> dict[str, set[str]]:
        return {
            iid: {normalise_header(a) for a in str(row.aliases).split("|") if a}
            for iid, row in self.indicators.iterrows()
        }

    def authority_for_name(self, name: str) -> str | None:
        """ONS code for a council name or abbreviation (``Hamps`` -> Hampshire's code)."""
        return self._authority_names.get(normalise_header(name)) if name else None

    @cached_property
    def _authority_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for code, row in self.authorities.iterrows():
            for text in [row["name"], *str(row["aliases"]).split("|")]:
                key = normalise_header(text) if text else ""
                if key:
                    names.setdefault(key, code)
        return names

    def authority_name(self, code: str) -> str:
        """Name of the council with ONS code ``code`` (the code itself if unknown)."""
        return str(self.authorities["name"].get(code, code))


def make_reference_from_frames(
    measures: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    authorities: pd.DataFrame | None = None,
    identities: pd.DataFrame | None = None,
) -> Reference:
    """Build and check a :class:`Reference` from the reference tables as read."""
    measures = measures.fillna({"aliases": ""}).set_index("id")
    if indicators is None:
        indicators = pd.DataFrame(columns=["id", "polarity", "aliases"])
    indicators = indicators.fillna({"aliases": ""}).set_index("id")
    if authorities is None:
        authorities = pd.DataFrame(columns=["ons_code", "name", "aliases"])
    authorities = authorities.fillna({"aliases": ""}).astype({"name": str}).set_index("ons_code")
    errors = []
    for frame, what in (
        (measures, "measures"),
        (indicators, "indicators"),
        (authorities, "authorities"),
    ):
        dupes = frame.index[frame.index.duplicated()].tolist()
        if dupes:
            errors.append(f"{what}: duplicated id(s) {dupes}")
    bad_polarity = sorted(
        set(indicators.get("polarity", pd.Series(dtype=str)).dropna()) - set(POLARITIES)
    )
    if bad_polarity:
        errors.append(f"indicators: unknown polarity {bad_polarity}; use one of {POLARITIES}")
    rules: list[Identity] = []
    if identities is not None:
        for _, row in identities.iterrows():
            parts = tuple(p.strip() for p in str(row["parts"]).split("+"))
            unknown = [m for m in (row["result"], *parts) if m not in measures.index]
            if unknown:
                errors.append(f"identities: unknown measure(s) {unknown}")
            rules.append(Identity(row["result"], parts, str(row.get("description", ""))))
    if errors:
        raise ReferenceError("; ".join(errors))
    return Reference(measures, indicators, authorities, tuple(rules))
