"""The dashboard's chart geometry: round axes, bars and points inside the plot, labels thinned, links kept."""

from __future__ import annotations

import pytest

from quizapp.domain.charts import HEIGHT, MAX_X_LABELS, bar_chart, line_chart, nice_top


@pytest.mark.parametrize(("maximum", "whole", "expected"), [
    (998_774, True, (1_000_000, 250_000)), (7, True, (8, 2)), (3, True, (3, 1)), (0, True, (4, 1)),
    (0.43, False, (0.6, 0.2)), (1, True, (1, 1)), (120, True, (150, 50)),
])
def test_the_axis_ends_on_a_round_value(maximum, whole, expected):
    assert nice_top(maximum, whole=whole) == expected


def test_bars_stand_on_the_axis_in_proportion():
    chart = bar_chart(["a", "b", "c"], [0, 5, 10], hrefs=[None, "?unit=2", None])
    bottom = chart.plot_bottom
    assert [round(bar.y + bar.height, 6) for bar in chart.bars] == [bottom] * 3
    assert chart.bars[0].height == 0 and chart.bars[2].height == pytest.approx(2 * chart.bars[1].height)
    assert chart.bars[2].y == pytest.approx(chart.plot_top)  # 10 is the axis' top
    assert [bar.href for bar in chart.bars] == [None, "?unit=2", None]
    assert [tick.text for tick in chart.ticks] == ["0", "5", "10"]
    assert all(chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right for bar in chart.bars)


def test_rates_on_a_fixed_scale_and_many_labels_thinned():
    chart = bar_chart([f"U{i}" for i in range(40)], [i / 40 for i in range(40)], top=1.0,
                      tick_text=lambda v: f"{v:.0%}")
    assert [tick.text for tick in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert len(chart.labels) <= MAX_X_LABELS and chart.labels[0].text == "U0"


def test_a_line_through_every_point():
    chart = line_chart(["0h", "1h", "2h"], [2, 0, 4])
    assert [p.y for p in chart.points] == [pytest.approx((HEIGHT - 44 + 12) / 2), HEIGHT - 44, 12]
    assert chart.polyline.count(",") == 3
    assert line_chart([], []).points == ()
