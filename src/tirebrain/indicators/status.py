"""Status of a target in a year, and its projection to the target year.

The rule (documented in docs/indicators.md; its tolerances are data in the plan file):

* **level targets** ("reach 30 by 2027"): the expected value in year Y lies on the straight line
  from the baseline (year B, value b) to the target (year T, value t). With s = +1 for targets
  that should rise and −1 for those that should fall, the lag is s·(expected − value) / |t − b|.
  A value that already meets the target, or that is at or ahead of the line before the target
  year, is **on track**; a lag of at most ``at_risk_tolerance`` (a share of the planned change) is
  **at risk**; more is **off track**. From the target year on, only meeting the target is on track.
* **trend targets** ("keeps rising"): the relative change on the previous year, s·(v_Y − v_{Y−1}) /
  |v_{Y−1}|, is on track above ``trend_flat_tolerance``, at risk within ± that tolerance (flat), off
  track below it.
* No value for the year (or, for a trend, none for the year before) is **no data**.

The projection fits a least-squares straight line through every value up to year Y and reads
it at the target year; it needs at least two years.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")
    NOT_APPLICABLE = "not_applicable", _("No target at this level")


def meets(value: float, comparison: str, target: float) -> bool:
    return {
        "gte": value >= target,
        "gt": value > target,
        "lte": value <= target,
        "lt": value < target,
    }[comparison]


def expected_value(
    baseline_year: int, baseline: float, target_year: int, target: float, year: int
) -> float:
    if year <= baseline_year:
        return baseline
    if year >= target_year:
        return target
    return baseline + (target - baseline) * (year - baseline_year) / (target_year - baseline_year)


def level_status(
    *,
    value: float | None,
    year: int,
    baseline_year: int,
    baseline: float | None,
    target_year: int,
    target: float,
    direction: str,
    comparison: str,
    tolerance: float,
) -> Status:
    if value is None:
        return Status.NO_DATA
    if meets(value, comparison, target):
        return Status.ON_TRACK
    if baseline is None:
        return Status.NO_DATA
    sign = 1 if direction == "increase" else -1
    expected = expected_value(baseline_year, baseline, target_year, target, year)
    lag = sign * (expected - value)
    if lag <= 0 and year < target_year:
        return Status.ON_TRACK
    span = abs(target - baseline) or abs(target) or 1.0
    # A hair's breadth of floating-point error must not turn "at risk" into "off track".
    return Status.AT_RISK if lag / span <= tolerance + 1e-9 else Status.OFF_TRACK


def trend_status(
    *, value: float | None, previous: float | None, direction: str, flat_tolerance: float
) -> Status:
    if value is None or previous is None:
        return Status.NO_DATA
    sign = 1 if direction == "increase" else -1
    change = sign * (value - previous) / (abs(previous) or 1.0)
    if change > flat_tolerance:
        return Status.ON_TRACK
    if change >= -flat_tolerance:
        return Status.AT_RISK
    return Status.OFF_TRACK


def projection(series: dict[int, float | None], upto_year: int, target_year: int) -> float | None:
    """Least-squares line through the values up to ``upto_year``, read at ``target_year``."""
    points = [(y, v) for y, v in series.items() if v is not None and y <= upto_year]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(y for y, _v in points) / n
    mean_y = sum(v for _y, v in points) / n
    sxx = sum((y - mean_x) ** 2 for y, _v in points)
    sxy = sum((y - mean_x) * (v - mean_y) for y, v in points)
    slope = sxy / sxx
    return mean_y + slope * (target_year - mean_x)
