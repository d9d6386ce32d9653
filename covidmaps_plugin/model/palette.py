"""The one colour palette of CovidMaps (QGIS styles and the web map).

Based on the Okabe–Ito palette, which stays distinguishable for the common
forms of colour blindness. Status is never carried by colour alone: layers
differ by symbol shape, and zone statuses also differ by dash pattern.
"""

from __future__ import annotations

from typing import Tuple

VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
REDDISH_PURPLE = "#CC79A7"
DARK_PURPLE = "#882255"
GREY = "#999999"
LIGHT_GREY = "#BBBBBB"
STROKE = "#222222"

# Outline of the province and districts (reference layers, web map fallback).
PROVINCE_OUTLINE = "#444444"
DISTRICT_OUTLINE = "#777777"

Colors = Tuple[Tuple[str, str], ...]

RISK_POINT_COLORS: Colors = (
    ("active", VERMILLION),
    ("expired", GREY),
    ("withdrawn", LIGHT_GREY),
)

FACILITY_COLORS: Colors = (
    ("operating", BLUE),
    ("standby", SKY_BLUE),
    ("suspended", ORANGE),
    ("closed", GREY),
)

ZONE_COLORS: Colors = (
    ("upcoming", ORANGE),
    ("in_force", REDDISH_PURPLE),
    ("extended", DARK_PURPLE),
    ("lifted", GREY),
)

CHECKPOINT_COLORS: Colors = (
    ("operating", BLUISH_GREEN),
    ("suspended", YELLOW),
    ("disbanded", GREY),
)

# epidemic levels are coloured by level (model/levels.py); these only mark
# the records that are no longer announced
LEVEL_STATUS_COLORS: Colors = (
    ("announced", LIGHT_GREY),
    ("withdrawn", GREY),
)
