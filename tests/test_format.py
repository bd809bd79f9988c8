"""The number rule (metrics/format.py): every expected string below is written by hand."""
from __future__ import annotations

import pytest

from metrics.format import (RATE_COLUMN, fmt_money, fmt_rate, fmt_score, format_change, format_gap, format_value,
                            money_column, money_unit, score_column, score_digits)
from metrics.registry import BY_ID

MONTHLY = BY_ID["monthly_investment"]  # 万元
RATE = BY_ID["investment_completion_rate"]


def test_an_amount_is_in_yi_from_one_yi_up_and_in_whole_wan_below():
    assert fmt_money(646_600) == "64.7亿元"
    assert fmt_money(10_000) == "1.0亿元"
    assert fmt_money(9_999.4) == "9,999万元"
    assert fmt_money(85_370.57) == "8.5亿元"  # 县区对比: no longer 85,371万元 beside 75.9亿元
    assert fmt_money(758_821.04) == "75.9亿元"
    assert fmt_money(12_345_678) == "1,234.6亿元"
    assert fmt_money(None) == "—"


def test_a_change_is_written_in_the_unit_of_its_value():
    # 当月完成投资 64.7亿元 beside 较上月 +20.8亿元 (not +208,014万元)
    assert format_change(MONTHLY, 646_600, 646_600 - 208_014) == "+20.8亿元"
    assert format_change(MONTHLY, 646_600, 646_600 + 3_000) == "-0.3亿元"
    assert format_change(MONTHLY, 646_600, 646_600 - 200) == "+0.0亿元"  # never '-0.0'
    assert format_change(MONTHLY, 8_000, 3_000) == "+5,000万元"  # under 1亿: both in 万元
    assert format_change(MONTHLY, 8_000, 150_000) == "-142,000万元"  # the value's unit, not the change's
    assert format_change(MONTHLY, 8_000, None) == "—"
    assert format_gap(MONTHLY, 646_600, 600_000) == "+4.7亿元"
    assert format_value(MONTHLY, 51_897.80) == "5.2亿元"


def test_rates_have_one_decimal_and_change_in_points():
    assert [fmt_rate(x) for x in (1.0829, 1.0, 0.05, 0.4567, 0.00049)] == ["108.3%", "100.0%", "5.0%", "45.7%", "0.0%"]
    assert format_change(RATE, 0.92, 0.811) == "+10.9个百分点"
    assert format_gap(RATE, 0.598, 1.0) == "-40.2个百分点"


def test_a_column_has_one_unit_named_in_its_header():
    wan, yi = money_column([3_000, 9_500.5, None]), money_column([373_728.39, 2_000])
    assert (wan.header("年度计划投资"), wan.text(9_500.5), wan.printf) == ("年度计划投资(万元)", "9,500", "%,.0f")
    assert (yi.header("年度计划投资"), yi.text(373_728.39), yi.text(900), yi.printf) == (
        "年度计划投资(亿元)", "37.37", "0.09", "%,.2f")
    assert yi.divisor == 10_000 and money_unit(9_999, -10_000) == "亿元"
    # a rate column: ×100 in the file under (%), the grid's format rounds to one decimal and keeps the %
    assert (RATE_COLUMN.header("投资完成率"), RATE_COLUMN.divisor, RATE_COLUMN.printf) == ("投资完成率(%)", 0.01, "%.1f%%")
    assert [RATE_COLUMN.text(x) for x in (1.0829, 1.0, 0.05)] == ["108.3%", "100.0%", "5.0%"]


@pytest.mark.parametrize("scores, ranks, digits", [
    ([90.3442, 76.9318, 70.7894, 70.7844, 11.1889], [1, 2, 3, 4, 5], 2),  # 70.8 twice, 3rd and 4th: 70.79 / 70.78
    ([90.3442, 76.9318, 70.7894, 60.0], [1, 2, 3, 4], 1),
    ([80.0, 80.0, 50.0], [1, 1, 3], 1),  # equal scores share the rank (并列): nothing to tell apart
    ([70.12341, 70.12349, None], [1, 2, None], 4),  # an unranked county has no score
    ([50.000001, 50.0], [1, 2], 4),  # apart only past 4 decimals: printed to 4, as close as a score is told
])
def test_scores_print_with_enough_decimals_to_tell_ranks_apart(scores, ranks, digits):
    assert score_digits(scores, ranks) == digits
    assert score_column(scores, ranks).printf == f"%,.{digits}f"


def test_score_text():
    assert fmt_score(70.7894, 2) == "70.79" and fmt_score(70.7894) == "70.8" and fmt_score(None) == "—"
