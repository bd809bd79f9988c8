"""The benchmark: tiny-scale run in-process (JSON shape, cross-check passed), generator realism, the comparator."""
from __future__ import annotations

import json

import polars as pl
import pytest

from bench import baseline_duckdb, baseline_pandas
from bench import refusal
from bench.__main__ import main
from bench.generate import SCALES, ensure_store, generate_frames
from bench.run import format_table
from bench.workloads import IDS, Context, CrossCheckError, compare_indicators
from data.schema import BUILD_TYPES, CATEGORIES, INVESTOR_TYPES, LEVELS, STATUSES
from data.validate import validate
from metrics.engine import compute
from metrics.filters import Filters

CASES = ["cold", "filter_change", "month_series", "ranking", "page_rerun"]
CASE_KEYS = {"name", "median_ms", "min_ms", "max_ms", "pandas_median_ms", "duckdb_median_ms", "ratio_vs_pandas",
             "ratio_vs_duckdb"}


def test_tiny_bench_json_shape_and_cross_check(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["--scale", "tiny", "--repeat", "1", "--format", "json", "--out", str(out),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(capsys.readouterr().out) == result
    assert result["scale"] == "tiny" and result["rows"] == 50 * 6
    assert result["cross_check"] == "passed"
    assert [c["name"] for c in result["cases"]] == CASES
    for case in result["cases"]:
        assert CASE_KEYS <= set(case)
        assert 0 < case["min_ms"] <= case["median_ms"] <= case["max_ms"]
        assert case["pandas_median_ms"] > 0 and case["duckdb_median_ms"] > 0
        assert case["ratio_vs_pandas"] > 0 and case["ratio_vs_duckdb"] > 0
    assert result["peak_rss_mb"] > 0 and result["peak_rss_note"]
    table = format_table(result)
    assert all(name in table for name in CASES)


def test_store_is_reused_while_the_generator_is_unchanged(tmp_path):
    first = ensure_store("tiny", tmp_path)
    stamp = first.path_for(first.months()[-1]).stat().st_mtime_ns
    again = ensure_store("tiny", tmp_path)
    assert again.root == first.root and again.path_for(again.months()[-1]).stat().st_mtime_ns == stamp
    assert len(again.months()) == SCALES["tiny"].months


@pytest.fixture(scope="module")
def city() -> list[pl.DataFrame]:
    return list(generate_frames(SCALES["city"]))


def test_generated_city_respects_the_schema_and_is_realistic(city):
    assert len(city) == 24 and all(f.height == 1_000 for f in city)
    for frame in city:
        assert validate(frame) == []
    every = pl.concat(city)
    assert every.get_column("county").n_unique() == 12
    assert every.get_column("chain").drop_nulls().n_unique() == 18  # the city scale's chains, every one in use
    for col, values in (("build_type", BUILD_TYPES), ("status", STATUSES), ("category", CATEGORIES),
                        ("level", LEVELS), ("investor_type", INVESTOR_TYPES)):
        assert set(every.get_column(col).unique().to_list()) == set(values), col
    # ytd never falls within a year for a project that stays; projects enter and leave every month.
    ytd = (every.sort("snapshot_month")
           .with_columns(prev=pl.col("completed_investment_ytd").shift(1)
                         .over("project_id", pl.col("snapshot_month").dt.year(), order_by="snapshot_month")))
    assert ytd.filter(pl.col("completed_investment_ytd") < pl.col("prev") - 1e-6).is_empty()
    ids = [set(f.get_column("project_id")) for f in city]
    assert all(ids[i] - ids[i - 1] and ids[i - 1] - ids[i] for i in range(1, len(ids)))


def test_generation_is_deterministic():
    a = list(generate_frames(SCALES["tiny"]))
    b = list(generate_frames(SCALES["tiny"]))
    assert all(x.equals(y) for x, y in zip(a, b))


def test_a_difference_from_ours_is_an_error():
    import datetime as dt

    ours = pl.DataFrame({"snapshot_month": [dt.date(2024, 6, 1)] * 2, "county": ["甲县", "乙县"],
                         "start_rate": [0.5, None]})
    compare_indicators(ours, ours.to_pandas(), "county", ["start_rate"], "self")
    with pytest.raises(CrossCheckError, match="start_rate"):
        compare_indicators(ours, ours.with_columns(start_rate=pl.lit(0.5)).to_pandas(), "county", ["start_rate"], "x")
    with pytest.raises(CrossCheckError, match="different groups"):
        compare_indicators(ours, ours.head(1).to_pandas(), "county", ["start_rate"], "x")


def test_baselines_equal_ours_under_many_selections(tmp_path):
    """Every indicator, DuckDB cold and warm, by month and by county, under empty and non-empty selections."""
    ctx = Context.of(ensure_store("tiny", tmp_path))
    sources = [(baseline_pandas, ctx.pandas_src), (baseline_duckdb, ctx.duck_src)]
    cold_duck = baseline_duckdb.DuckSource(ctx.paths)
    sources.append((baseline_duckdb, cold_duck))
    try:
        county = ctx.dataset.scan([ctx.latest]).select("county").first().collect().item()
        selections = [Filters(), Filters.of(county=[county], level=["市级", "县级"])]
        selections += [ctx.filters(i) for i in (-1, 0)]
        for months in ([ctx.latest], ctx.months):
            for f in selections:
                for by in (None, "county"):
                    ours = compute(ctx.dataset, months, f, by, IDS)
                    for mod, src in sources:
                        compare_indicators(ours, mod.indicators(src, months, f, by, IDS), by, IDS,
                                           f"{mod.__name__} {months[0]}… {f} {by}")
    finally:
        cold_duck.close()
        ctx.close()


def test_refusal_bench_reports_each_case_against_its_target(tmp_path, capsys):
    """The timing of hostile-file refusals lives here, not in the suite: only the report's shape is checked."""
    out = tmp_path / "refusal.json"
    code = refusal.main(["--repeat", "1", "--json", str(out)])
    result = json.loads(out.read_text(encoding="utf-8"))
    assert code == (0 if result["met"] else 1) and result["repeat"] == 1
    assert [(c["name"], c["rule"], c["target_ms"]) for c in result["cases"]] == [
        ("sparse_20gb", "文件过大", 2000.0), ("zip_bomb", "文件解压后过大", 2000.0)]
    for c in result["cases"]:
        assert 0 < c["median_ms"] <= c["max_ms"] and c["met"] == (c["median_ms"] <= c["target_ms"])
    assert result["met"] == all(c["met"] for c in result["cases"])
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed] == ["sparse_20gb", "zip_bomb"]
    with pytest.raises(ValueError, match="repeat"):
        refusal.run(0)


def test_register_bench_runs_small_and_checks_its_table():
    from bench import register as reg_bench

    result = reg_bench.run(rows=30, repeat=1)  # asserts inside: the progress table passes, every project matched
    assert result["rows"] == 30 and result["progress_with_register_median_ms"] > 0
    assert {"full_ledger_without_register_median_ms", "load_average", "met", "ratio"} <= set(result)
