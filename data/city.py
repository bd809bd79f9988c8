"""The city this installation serves, named in the app's title, the screen's header and the bulletin: the one
setting they share. The demo city (data/demo) is 示范市, also the name until $KPM_CITY gives another."""
from __future__ import annotations

import os

CITY_ENV = "KPM_CITY"
DEMO_CITY = "示范市"


def city_name(city: str | None = None) -> str:
    """The city named in titles: the argument (a command line's --city), $KPM_CITY, or 示范市."""
    return city or os.environ.get(CITY_ENV) or DEMO_CITY
