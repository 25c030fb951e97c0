"""Tones: how a summary cell is coloured (good news, a concern, a warning, neutral or not
available). Every cell also says its answer in words, so no answer is given by colour alone.
"""

from __future__ import annotations

__all__ = ["GOOD", "CONCERN", "WARNING", "NEUTRAL", "NOT_AVAILABLE"]

#: Tones: how a cell is coloured. Every cell also says its answer in words.
GOOD, CONCERN, WARNING, NEUTRAL, NOT_AVAILABLE = (
    "good",
    "concern",
    "warning",
    "neutral",
    "not_available",
)
