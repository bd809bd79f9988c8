"""The global selection (county, chain, tier, level) and the breakdowns indicators can be grouped by."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from data.schema import TIER_LABELS, ZH, tier_expr

C = pl.col

# Breakdown keys: user-facing name → row column (tier is derived from total_investment).
BY_COLUMNS = {"county": "county", "chain": "chain", "tier": "_tier", "level": "level", "category": "category",
              "investor_type": "investor_type"}
BY_LABELS = {by: "规模档次" if by == "tier" else ZH[col] for by, col in BY_COLUMNS.items()}


@dataclass(frozen=True)
class Filters:
    """The global selection: each a tuple of allowed values; empty = all."""

    county: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    level: tuple[str, ...] = ()

    @classmethod
    def of(cls, county: Iterable[str] = (), chain: Iterable[str] = (), tier: Iterable[str] = (),
           level: Iterable[str] = ()) -> Filters:
        bad = [t for t in tier if t not in TIER_LABELS]
        if bad:
            raise ValueError(f"{BY_LABELS['tier']}“{'、'.join(bad)}”不存在，可选：{'、'.join(TIER_LABELS)}")
        return cls(tuple(county), tuple(chain), tuple(tier), tuple(level))

    def without(self, *names: str) -> Filters:
        return Filters(**{k: (() if k in names else v) for k, v in self.as_dict().items()})

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        return {"county": self.county, "chain": self.chain, "tier": self.tier, "level": self.level}

    def expr(self, tier_col: str | None = None) -> pl.Expr:
        """Row predicate over a snapshot's own attributes (tier from its total_investment, or from `tier_col`
        where the rows already carry tier_expr's result, as prepared rows do in `_tier`)."""
        cond = pl.lit(True)
        if self.county:
            cond &= C("county").is_in(list(self.county))
        if self.chain:
            cond &= C("chain").is_in(list(self.chain))
        if self.tier:
            cond &= (C(tier_col) if tier_col else tier_expr("total_investment")).is_in(list(self.tier))
        if self.level:
            cond &= C("level").is_in(list(self.level))
        return cond

    def is_empty(self) -> bool:
        return not any(self.as_dict().values())

    def describe(self) -> str:
        """'县区：甲县、乙县；规模档次：1-5亿' ('' for no filter)."""
        return "；".join(f"{BY_LABELS[k]}：{'、'.join(v)}" for k, v in self.as_dict().items() if v)
