"""The cities the meeting screen is tried on: the demo as generated, the demo with long county names, and the demo
split into thirty county-level units; each written into a store of its own (never outside the test's folder)."""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.store import Store
from tests.demo_stores import demo_frames

# Real-world shapes of long unit names, up to the 12 characters the screen promises to fit.
LONG_NAMES = {
    "东城区": "东城区",  # one short name stays, so short and long share the axis
    "西城区": "经济技术开发区管理委员会",
    "高新区": "高新技术产业开发区",
    "经开区": "临港经济技术开发区",
    "青山县": "峨边彝族自治县",
    "临河县": "临河县",
    "北岭县": "北岭湖生态文化旅游示范区",
    "南湖县": "南湖新区管理委员会",
    "石门县": "石门土家族自治县",
}
THIRTY = ("东城区", "西城区", "高新区", "经开区", "青山县", "临河县", "北岭县", "南湖县", "石门县",
          "经济技术开发区管理委员会", "高新技术产业开发区", "石门土家族自治县", "峨边彝族自治县", "长阳土家族自治县",
          "北岭湖生态文化旅游示范区", "南湖新区管理委员会", "临港经济技术开发区", "白沙黎族自治县", "双江拉祜族佤族布朗族",
          "城南区", "城北区", "河西区", "江东区", "桃源县", "安化县", "新化县", "凤凰县", "永顺县", "龙山县", "古丈县")

CLOSE_PACE, CLOSE_STEP = 0.93, 0.002  # the thirty units' completion against 时序进度: 93.0 %, 93.2 %, … 98.8 %


@dataclass(frozen=True)
class City:
    """A city to show on the screen: its name in titles (KPM_CITY) and how the demo's counties become its units."""

    name: str
    title: str
    units: tuple[str, ...]

    def write(self, root: Path) -> Path:
        """A store at root holding the demo's months with this city's units."""
        if self.name == "demo":
            return root  # an empty store: the app shows the committed demo city, as a new installation does
        store = Store(root)
        for frame in demo_frames():
            store.write(self.relabel(frame), source=f"{self.name}.xlsx")
        supervise(store, self.units)
        return root

    def relabel(self, frame: pl.DataFrame) -> pl.DataFrame:
        if self.name == "demo":
            return frame
        if self.name == "long":
            return frame.with_columns(pl.col("county").replace_strict(LONG_NAMES))
        # Thirty units: each project stays in one unit every month (its id decides), so ranks and trends hold.
        ids = frame.get_column("project_id").to_list()
        unit = [THIRTY[zlib.crc32(p.encode()) % len(THIRTY)] for p in ids]
        # Close values, as a real city's are: each unit's projects complete their plan at its own pace, 0.2 points
        # apart (93.0 % … 98.8 % of 时序进度), so thirty bars end within a few px and their figures stand side by side.
        pace = [CLOSE_PACE + CLOSE_STEP * THIRTY.index(u) for u in unit]
        month = frame.get_column("snapshot_month")[0].month
        return frame.with_columns(pl.Series("county", unit, pl.String)).with_columns(
            completed_investment_ytd=pl.col("plan_investment_year").fill_null(0.0) * month / 12
            * pl.Series(pace, dtype=pl.Float64))


def supervise(store: Store, units: tuple[str, ...]) -> None:
    """督办 items in every unit, dated back from today so the board has rows of every kind: each unit an item 20 days
    old (一般, due after 7: overdue, unanswered), one 6 days old (due tomorrow: 临期), every third unit's old item
    closed on time, every fourth unit a second overdue item (重大, 40 days old) with a long content (cards wrap it)."""
    from data import duban, duban_steps as steps

    today, analyst = dt.date.today(), duban.Actor("分析员", "analyst")
    for i, unit in enumerate(units):
        old = steps.add(store, analyst, unit=unit, content=f"{unit}重点项目用地报批协调", assigned_on=today - dt.timedelta(20))
        steps.add(store, analyst, unit=unit, content="施工用电接入", assigned_on=today - dt.timedelta(6))
        if i % 3 == 0:
            steps.request_close(store, analyst, old.id, "已完成", on=today - dt.timedelta(15))
            steps.close(store, analyst, old.id, "良好", on=today - dt.timedelta(14))
        if i % 4 == 0:
            steps.add(store, analyst, unit=unit, content="推进征地拆迁、管线迁改和临时用地手续办理，倒排工期确保按期开工",
                      assigned_on=today - dt.timedelta(40), tier="重大")


CITIES = {
    "demo": City("demo", "示范市", tuple(LONG_NAMES)),
    "long": City("long", "湘西土家族苗族自治州", tuple(LONG_NAMES.values())),
    "thirty": City("thirty", "示范市", THIRTY),
}
