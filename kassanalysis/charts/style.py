"""The charts' shared style: Analysis Function colours, status colours, sizes and fonts.

The categorical and focus palettes come from the ``afcharts`` package (the Government
Analysis Function's own chart style, "Data visualisation: colours in charts"), not a
hand-kept copy; the sizes are the pack's (10 pt minimum text, 8 inch width).
"""

from __future__ import annotations

from afcharts.af_colours import get_af_colours

# Government Analysis Function categorical palette, in the order it is meant to be used.
CATEGORICAL_PALETTE: tuple[str, ...] = tuple(c.upper() for c in get_af_colours("categorical"))
"""Analysis Function categorical palette (dark blue, turquoise, dark pink, orange,
dark grey, light purple), from ``afcharts``."""
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = CATEGORICAL_PALETTE

HIGHLIGHT_COLOUR, CONTEXT_GREY = (c.upper() for c in get_af_colours("focus"))
"""Focus-chart highlight (dark blue) and the grey for everything not highlighted (the
Analysis Function focus palette, from ``afcharts``)."""

CONCERN_COLOUR = ORANGE
"""A result a reader should worry about (forecast overspend, special cause of concern):
orange, as NHS England's "Making Data Count" marks concern; always with words too."""
MID_GREY = "#757575"  # actuals line on SPC charts (4.6:1 against white)

RAG_COLOURS: dict[str, str] = {"Green": "#00703C", "Amber": "#FFDD00", "Red": "#D4351C"}
"""GOV.UK-style status colours; any other status is drawn grey (``CONTEXT_GREY``)."""
RAG_TEXT_COLOURS = {"Green": "white", "Amber": "black", "Red": "white"}

# Special-cause styling, after NHS England "Making Data Count": blue improvement, orange
# concern, purple neither; each with its own marker shape so colour is not needed.
VARIATION_STYLE = {
    "improvement": (DARK_BLUE, "s", "Special cause: improvement"),
    "concern": (CONCERN_COLOUR, "D", "Special cause: concern"),
    "neither": (LIGHT_PURPLE, "^", "Special cause: neither improvement nor concern"),
}

FONT = 10  # minimum text size everywhere
TITLE_FONT = 13
DPI = 100
WIDTH = 8.0
LABEL_CHARS = 40  # longest category label shown on a chart before the ellipsis
TITLE_WRAP = 72
NOTE_WRAP = 95
# Fonts named in SVG text: the one the layout is measured in, then narrower ones a reader
# is likely to have (Windows, Linux, macOS).
SVG_FONTS = ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica", "sans-serif"]
# Every Text made from data goes through these: literal text, never mathtext or TeX.
PLAIN_TEXT = {"parse_math": False, "usetex": False}
