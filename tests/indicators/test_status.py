"""The status rule and the projection, on hand-computed cases (see indicators/status.py)."""

from __future__ import annotations

import pytest

from tirebrain.indicators.status import (
    Status,
    expected_value,
    level_status,
    projection,
    trend_status,
)

RISE = {
    "baseline_year": 2023,
    "baseline": 20.0,
    "target_year": 2027,
    "target": 30.0,
    "direction": "increase",
    "comparison": "gte",
    "tolerance": 0.10,
}
FALL = {
    "baseline_year": 2023,
    "baseline": 112.0,
    "target_year": 2027,
    "target": 100.0,
    "direction": "decrease",
    "comparison": "lte",
    "tolerance": 0.10,
}


def test_expected_value_is_the_straight_line():
    assert expected_value(2023, 20, 2027, 30, 2025) == 25
    assert expected_value(2023, 20, 2027, 30, 2022) == 20  # before the baseline: the baseline
    assert expected_value(2023, 20, 2027, 30, 2030) == 30


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (25.0, Status.ON_TRACK),  # exactly on the line
        (26.0, Status.ON_TRACK),  # ahead
        (24.0, Status.AT_RISK),  # lag 1 of a planned change of 10: 0.10, the tolerance itself
        (23.9, Status.OFF_TRACK),  # lag 1.1 → 0.11
        (30.0, Status.ON_TRACK),  # already meets the target
        (None, Status.NO_DATA),
    ],
)
def test_level_status_for_a_rising_target(value, status):
    assert level_status(value=value, year=2025, **RISE) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (106.0, Status.ON_TRACK),  # expected 2025: 106
        (107.2, Status.AT_RISK),  # lag 1.2 of 12: 0.10
        (107.3, Status.OFF_TRACK),
        (99.0, Status.ON_TRACK),  # below the benchmark: met
    ],
)
def test_level_status_for_a_falling_target(value, status):
    assert level_status(value=value, year=2025, **FALL) == status


def test_strict_comparison_is_not_met_on_the_boundary():
    args = dict(RISE, comparison="gt", target=92.0, baseline=92.0)
    # "over 92 %": in the target year 92 itself does not meet it; it is within the tolerance.
    assert level_status(value=92.0, year=2027, **args) == Status.AT_RISK
    assert level_status(value=80.0, year=2027, **args) == Status.OFF_TRACK
    assert level_status(value=92.1, year=2027, **args) == Status.ON_TRACK


def test_level_status_without_a_baseline_is_no_data_unless_met():
    args = dict(RISE, baseline=None)
    assert level_status(value=25.0, year=2025, **args) == Status.NO_DATA
    assert level_status(value=31.0, year=2025, **args) == Status.ON_TRACK


@pytest.mark.parametrize(
    ("value", "previous", "direction", "status"),
    [
        (0.95, 1.0, "decrease", Status.ON_TRACK),  # fell 5 %
        (0.998, 1.0, "decrease", Status.AT_RISK),  # within ±0.5 %: flat
        (1.005, 1.0, "decrease", Status.AT_RISK),  # exactly the tolerance
        (1.02, 1.0, "decrease", Status.OFF_TRACK),
        (30.0, 28.0, "increase", Status.ON_TRACK),
        (27.0, 28.0, "increase", Status.OFF_TRACK),
        (27.0, None, "increase", Status.NO_DATA),
    ],
)
def test_trend_status(value, previous, direction, status):
    got = trend_status(value=value, previous=previous, direction=direction, flat_tolerance=0.005)
    assert got == status


def test_projection_is_the_least_squares_line():
    # y = 2x − 4000 exactly → 2027 gives 54
    series = {2021: 42.0, 2022: 44.0, 2023: 46.0, 2024: 48.0}
    assert projection(series, 2024, 2027) == pytest.approx(54.0)
    # Points (2021,1), (2022,3), (2023,2): slope 0.5, mean (2022, 2) → 2027: 4.5
    assert projection({2021: 1.0, 2022: 3.0, 2023: 2.0}, 2023, 2027) == pytest.approx(4.5)
    # Values after the chosen year are not used; one point is not enough.
    assert projection({2021: 1.0, 2022: 3.0, 2023: 100.0}, 2022, 2027) == pytest.approx(13.0)
    assert projection({2021: 1.0, 2022: None}, 2022, 2027) is None
