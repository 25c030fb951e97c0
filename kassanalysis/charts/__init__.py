"""Accessible charts for performance packs: comparators, trends, RAG tables and budgets.

One module per chart family (:mod:`~kassanalysis.charts.comparator`,
:mod:`~kassanalysis.charts.trend`, :mod:`~kassanalysis.charts.rag`,
:mod:`~kassanalysis.charts.funnel`,
:mod:`~kassanalysis.charts.budget`, :mod:`~kassanalysis.charts.locality`), a shared
:mod:`~kassanalysis.charts.style` and :mod:`~kassanalysis.charts.base`; the public names
are re-exported here, so ``kassanalysis.charts.plot_trend`` keeps working.

Every function takes a tidy frame and returns a :class:`Chart`: a matplotlib
``Figure`` plus a plain-English ``alt_text`` (WCAG 1.1.1: a text alternative
carrying the same information, key numbers included) and a ``title`` that states
the finding, ready for an HTML report's heading and ``<img alt=...>``.

Design rules followed throughout
--------------------------------
* **No import cost, no global state.** matplotlib is imported only inside the
  functions, so ``import kassanalysis.charts`` stays cheap. Figures are built
  with :class:`matplotlib.figure.Figure` directly: no pyplot, no GUI backend, no
  figure registry to leak or close, the same result under any ``MPLBACKEND``.
* **Government Analysis Function colours** ("Data visualisation: colours in
  charts"): the categorical palette below; a focus chart highlights one bar in
  dark blue and shows the others in grey ``#BFBFBF``, with a text label.
* **Colour never carries meaning alone.** The focus council's label is bold,
  suspect values are hatched *and* labelled "(suspect)", lines differ in dash
  pattern and are named in a legend, special-cause points differ in marker
  shape, RAG cells show the word, and variance labels carry their sign.
* **Text from data is untrusted and literal.** Council, line and locality names
  are cleaned of control characters, shortened with an ellipsis for display only
  (alt text keeps the full name) and drawn with ``parse_math=False`` and
  ``usetex=False``, so ``$x^2$`` shows as typed and ``<script>`` is just text.
  ``alt_text`` and ``title`` are plain text: let the report template escape them
  (Jinja2 autoescape); never paste them into HTML with an f-string.
* **Missing is missing.** A NaN is never drawn as zero: comparator councils with
  no value are named in a footnote, gaps in a trend stay gaps.
* Output is deterministic: no randomness; :meth:`Chart.to_svg` fixes
  ``svg.hashsalt`` and drops the date from the metadata.
"""

from __future__ import annotations

from kassanalysis.charts.base import Chart
from kassanalysis.charts.budget import plot_budget_variance
from kassanalysis.charts.comparator import plot_comparator
from kassanalysis.charts.funnel import plot_funnel
from kassanalysis.charts.locality import plot_locality_share
from kassanalysis.charts.rag import plot_rag_table
from kassanalysis.charts.style import (
    CATEGORICAL_PALETTE,
    CONTEXT_GREY,
    HIGHLIGHT_COLOUR,
    RAG_COLOURS,
)
from kassanalysis.charts.trend import plot_trend
from kassanalysis.charts.trend_grid import plot_trend_grid

__all__ = [
    "CATEGORICAL_PALETTE",
    "CONTEXT_GREY",
    "HIGHLIGHT_COLOUR",
    "RAG_COLOURS",
    "Chart",
    "plot_budget_variance",
    "plot_comparator",
    "plot_funnel",
    "plot_locality_share",
    "plot_rag_table",
    "plot_trend",
    "plot_trend_grid",
]
