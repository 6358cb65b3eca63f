"""The SVG bar chart: what a person sees (bars, labels) and what a screen reader gets (title, table)."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from kabinet.core.charts import monthly_bars, nice_step

SVG = "{http://www.w3.org/2000/svg}"


def months(values: list[str], start: date = date(2025, 1, 1)) -> list[tuple[date, Decimal]]:
    points = []
    year, month = start.year, start.month
    for value in values:
        points.append((date(year, month, 1), Decimal(value)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


def svg_of(html: str) -> ET.Element:
    """The wide drawing (every month): the first of the two."""
    return ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))


def test_each_month_gets_a_bar_whose_height_follows_its_sum():
    html = monthly_bars(months(["1000.00", "2000.00", "500.50"]), unit="₽", title="Начислено по месяцам")
    bars = svg_of(html).findall(f"{SVG}rect")
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 3
    assert heights[1] == max(heights) and heights[2] == min(heights)
    assert abs(heights[0] / heights[1] - 0.5) < 0.01
    assert bars[2].find(f"{SVG}title").text == "март 2025: 500,50 ₽"


def test_the_chart_is_an_image_named_by_its_title_with_the_numbers_in_a_table():
    html = monthly_bars(months(["1234.56", "99.90"]), unit="₽", title="Начислено по месяцам", chart_id="c1")
    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title"
    assert svg.get("aria-describedby") == "c1-desc"
    assert svg.find(f"{SVG}title").text == "Начислено по месяцам"
    assert "<caption>Начислено по месяцам</caption>" in html
    assert '<th scope="row">январь 2025</th><td>1\u00a0234,56</td>' in html
    assert "февраль 2025" in html


def test_the_page_own_table_can_stand_in_for_the_hidden_one():
    html = monthly_bars(months(["10"]), unit="м³", title="Расход", table=False)
    assert "<table" not in html
    assert "в таблице на этой странице" in html


def test_three_years_of_months_keep_labels_apart_and_the_latest_labelled():
    html = monthly_bars(months(["100"] * 36, start=date(2023, 1, 1)), unit="₽", title="Начислено")
    svg = svg_of(html)
    labels = svg.findall(f"{SVG}text[@class='chart__label']")
    xs = [float(t.get("x")) for t in labels]
    assert len(svg.findall(f"{SVG}rect")) == 36
    assert all(b - a >= 32 for a, b in itertools.pairwise(xs))
    assert labels[-1].text == "дек" and labels[-1].find(f"{SVG}tspan").text == "2025"


def test_a_negative_month_after_a_recalculation_is_drawn_below_the_axis():
    html = monthly_bars(months(["300", "-120"]), unit="₽", title="Начислено")
    bars = svg_of(html).findall(f"{SVG}rect")
    assert float(bars[1].get("y")) >= float(bars[0].get("y")) + float(bars[0].get("height")) - 0.2


def test_text_is_escaped_and_no_data_says_so():
    assert "&lt;b&gt;" in monthly_bars(months(["1"]), unit="<b>", title="x")
    assert "данных пока нет" in monthly_bars([], unit="₽", title="Начислено")


def test_grid_steps_are_round():
    assert nice_step(4300) == 2000
    assert nice_step(9) == 5


def test_a_phone_gets_the_last_six_months_drawn_to_fit_its_width_not_a_scroll_box():
    """Issue 15 (8): nothing hidden in a box that scrolls sideways at 360 px."""
    points = [(date(2025, m, 1), Decimal(100 + m)) for m in range(1, 13)]
    html = str(monthly_bars(points, unit="₽", title="Начислено"))

    narrow = html[html.index('class="chart__narrow"') :]
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", narrow, re.S).group(0))
    assert len([e for e in svg.iter() if e.get("class") == "chart__bar"]) == 6
    assert "chart__svg--fluid" in svg.get("class") and int(svg.get("width")) <= 330
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Начислено, последние 6 мес."
    assert "chart__scroll" not in html
