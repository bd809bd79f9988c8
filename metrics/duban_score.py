"""按期办结率 as a scorecard line, by configuration only (the default scorecard leaves it out): each 县区's
duban_on_time_rate as of each ranked month's last day (today while that month runs), from the store's 督办 log. It
is no snapshot indicator, so the registry does not hold it; metrics.ranking.indicator_of names it for the
scorecard's readers."""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import polars as pl

from data.duban import Ledger, load
from metrics import duban as m
from metrics.dataset import Dataset
from metrics.indicator import Indicator
from metrics.rowsets import MONTH

_RATE = next(i for i in m.DUBAN_INDICATORS if i.id == "duban_on_time_rate")
ON_TIME_RATE = Indicator(id=_RATE.id, zh=_RATE.zh, en=_RATE.en, dimension="management", unit="比率",
                         direction=_RATE.direction, expr=pl.lit(None, pl.Float64),  # never computed by the
                         # engine (it is not registered): the ranking joins by_county below
                         caliber=_RATE.caliber + "（评分时按各月最后一天计，只计承办单位为县区的事项）")
EXTRA: dict[str, Indicator] = {ON_TIME_RATE.id: ON_TIME_RATE}


def month_as_of(month: dt.date) -> dt.date:
    """A ranked month's 督办 as-of date: its last day, or today while it runs."""
    return min(month.replace(day=calendar.monthrange(month.year, month.month)[1]), dt.date.today())


def by_county(ds: Dataset, months: Sequence[dt.date]) -> pl.DataFrame:
    """(snapshot_month, county, duban_on_time_rate) for each month: every 承办单位 with an item by then."""
    store = ds.store
    ledger = load(store) if store is not None else Ledger()
    frames = [m.by_unit(m.item_rows(ledger, month_as_of(x))).select(
        pl.lit(x, pl.Date).alias(MONTH), pl.col(m.UNIT).alias("county"), "duban_on_time_rate") for x in months]
    schema = {MONTH: pl.Date, "county": pl.String, "duban_on_time_rate": pl.Float64}
    return pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)
