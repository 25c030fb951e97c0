"""Do the published RAG ratings follow the dashboard rule? A check that reports, never repairs.

A quarterly performance report prints a RAG word beside each KPI. The project rates the
same figures itself (:func:`kassanalysis.analysis.performance.assess_rag`: Green when the
target is achieved or exceeded, Amber when the floor is achieved, Red below the floor;
exactly on target is Green, exactly on the floor is Amber). Where the published word and
the rule disagree for the same figure, target and floor, the build reports a finding; the
published rating is kept as printed.
"""

from __future__ import annotations

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.analysis.performance import assess_rag
from kassanalysis.schemas import RAG_RATINGS
from kassanalysis.schemas import IndicatorObservations as Obs
from kassanalysis.schemas import PublishedRatings as Rated

_KEY = [Obs.authority_code, Obs.indicator_id, Obs.breakdown, Obs.period_start, Obs.period_end]
_POLARITY_WORDS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}


def check_published_ratings(
    observations: pd.DataFrame, ratings: pd.DataFrame, indicators: pd.DataFrame
) -> list[pb.Problem]:
    """Findings for published RAG ratings that the dashboard rule does not reproduce.

    Parameters
    ----------
    observations : pandas.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`.
    ratings : pandas.DataFrame
        :class:`~kassanalysis.schemas.PublishedRatings`.
    indicators : pandas.DataFrame
        The indicator reference indexed by ``id``, with ``polarity``.

    Returns
    -------
    list of Problem
        One finding per rating whose period has an actual, a target and a floor published
        and whose rule rating differs from the published one (file and line of the
        rating). Ratings that cannot be checked (no target or floor published for that
        period, e.g. a previous quarter's) give no finding.

    Examples
    --------
    >>> obs = pd.DataFrame({"authority_code": "E10000016", "indicator_id": "CNA",
    ...     "breakdown": "Total", "period": "2024-25 Q3",
    ...     "period_start": pd.Timestamp("2024-10-01"), "period_end": pd.Timestamp("2024-12-31"),
    ...     "value_type": ["actual", "target", "floor"], "value": [74.0, 85.0, 75.0]})
    >>> rated = obs.iloc[:1].drop(columns=["value_type", "value"]).assign(
    ...     rag="Amber", source_file="qpr.txt", source_line=251)
    >>> ind = pd.DataFrame({"polarity": ["higher_is_better"]}, index=pd.Index(["CNA"], name="id"))
    >>> print(check_published_ratings(obs, rated, ind)[0].message)  # doctest: +NORMALIZE_WHITESPACE
    CNA 2024-25 Q3: published Amber, but 74 against target 85 and floor 75
    (higher is better) is Red by the dashboard rule
    """
    if ratings is None or ratings.empty or observations.empty:
        return []
    values = (
        observations.loc[observations[Obs.value_type].isin(["actual", "target", "floor"])]
        .pivot_table(index=_KEY, columns=Obs.value_type, values=Obs.value, aggfunc="first")
        .reindex(columns=["actual", "target", "floor"])
    )
    found = []
    for _, rating in ratings.iterrows():
        key = tuple(rating[c] for c in _KEY)
        if key not in values.index or rating[Rated.indicator_id] not in indicators.index:
            continue
        actual, target, floor = values.loc[key, ["actual", "target", "floor"]]
        polarity = indicators.loc[rating[Rated.indicator_id], "polarity"]
        if polarity not in _POLARITY_WORDS or pd.isna(target) or pd.isna(floor):
            continue
        rule = assess_rag(actual, target, floor, polarity)
        if rule in RAG_RATINGS and rule != rating[Rated.rag]:
            found.append(
                pb.finding(
                    "published RAG not reproduced",
                    str(rating[Rated.source_file]),
                    int(rating[Rated.source_line]),
                    f"{rating[Rated.indicator_id]} {rating[Rated.period]}: published "
                    f"{rating[Rated.rag]}, but {actual:g} against target {target:g} and floor "
                    f"{floor:g} ({_POLARITY_WORDS[polarity]}) is {rule} by the dashboard rule",
                    subject=str(rating[Rated.indicator_id]),
                )
            )
    return found


__all__ = ["check_published_ratings"]
