"""ui/cards.py: the phone's project cards — red lights first, and each name a link to its history when asked."""
import polars as pl

from metrics.lights import GREEN, RED
from ui.cards import project_cards


def _df() -> pl.DataFrame:
    return pl.DataFrame({"project_id": ["P-1", "P-2"], "project_name": ["甲厂房", "乙<路>"], "light": [GREEN, RED],
                         "light_reason": [None, "开工滞后"], "county": ["石门县", "东城区"], "status": ["在建", "在建"],
                         "completion_rate": [0.5, 0.2], "completed_investment_ytd": [100.0, 20.0],
                         "total_investment": [1000.0, 500.0]})


def test_a_project_card_links_to_its_history_and_red_comes_first():
    out = project_cards(_df(), lambda light: {GREEN: "绿灯", RED: "红灯"}[light], lambda pid: f"?month=2025-12&project={pid}")
    assert '<a href="?month=2025-12&amp;project=P-2" target="_self">乙&lt;路&gt;</a>' in out
    assert '<a href="?month=2025-12&amp;project=P-1" target="_self">甲厂房</a>' in out
    assert out.index("P-2") < out.index("P-1")  # the red light first, though the green project is larger
    assert "开工滞后" in out


def test_without_a_link_the_name_is_plain_text():
    out = project_cards(_df(), lambda light: "", None)
    assert "<a " not in out and "乙&lt;路&gt;" in out


def test_the_card_link_keeps_the_url_with_every_county():
    """ui.ledger.project_href: the page's URL as it is (each of several counties kept), ?project= set to the card's."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.ledger import project_href

        st.write(project_href("P-1"))

    at = AppTest.from_function(script)
    at.query_params["county"] = ["甲县", "乙县"]
    at.query_params["month"] = "2025-12"
    at.query_params["project"] = "P-0"
    at.run()
    assert not at.exception
    assert at.markdown[0].value == "?county=%E7%94%B2%E5%8E%BF&county=%E4%B9%99%E5%8E%BF&month=2025-12&project=P-1"
