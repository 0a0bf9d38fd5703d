"""Data elements, periods, values, and the per-city roll-up the cockpit reads.

``ValueRollup`` is DHIS2's analytics table in miniature: sums and counts of each element per
period, city and above-scale flag, rebuilt for exactly the (element, period) pairs a write
touched. The cockpit then reads a few thousand rows instead of scanning a million values.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tirebrain.core.i18n import BilingualNameMixin


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    INTEGER = "integer", _("Whole number")
    BOOLEAN = "boolean", _("Yes/no")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    NONE = "none", _("Not aggregated")


class DataElement(BilingualNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_en = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
    min_value = models.DecimalField(
        _("minimum"), max_digits=24, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


PERIOD_PATTERNS = {
    PeriodType.YEAR: re.compile(r"^(\d{4})$"),
    PeriodType.QUARTER: re.compile(r"^(\d{4})Q([1-4])$"),
    PeriodType.MONTH: re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"),
}


def parse_period(code: str) -> tuple[str, int, dt.date, dt.date]:
    """(type, year, first day, last day) of a DHIS2-style period code: 2024, 2024Q3, 202407."""
    code = code.strip().upper()
    for ptype, pattern in PERIOD_PATTERNS.items():
        if m := pattern.match(code):
            year = int(m.group(1))
            if ptype == PeriodType.YEAR:
                first_month, months = 1, 12
            elif ptype == PeriodType.QUARTER:
                first_month, months = 3 * int(m.group(2)) - 2, 3
            else:
                first_month, months = int(m.group(2)), 1
            start = dt.date(year, first_month, 1)
            end_month = first_month + months
            end = dt.date(year + end_month // 13, (end_month - 1) % 12 + 1, 1) - dt.timedelta(1)
            return ptype, year, start, end
    raise ValidationError(
        _("“%(code)s” is not a period: use 2024, 2024Q1 or 202401."), params={"code": code}
    )


class Period(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    period_type = models.CharField(_("type"), max_length=10, choices=PeriodType.choices)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["start", "period_type"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.code

    @classmethod
    def of(cls, code: str) -> Period:
        ptype, year, start, end = parse_period(code)
        period, _created = cls.objects.get_or_create(
            code=code.strip().upper(),
            defaults={"period_type": ptype, "year": year, "start": start, "end": end},
        )
        return period


class DataValue(models.Model):
    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="values"
    )
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stored_at = models.DateTimeField(_("stored at"), auto_now=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["element", "period", "org"], name="one_value_per_cell")
        ]
        indexes = [
            models.Index(fields=["element", "period", "value"]),
            models.Index(fields=["org", "period"]),
        ]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.element_id}/{self.period_id}/{self.org_id}={self.value}"


class ValueRollup(models.Model):
    """Sum and count of one element in one period over one city's enterprises of one size class."""

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    above_scale = models.BooleanField()
    total = models.DecimalField(max_digits=30, decimal_places=6)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "city", "above_scale"], name="one_rollup_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.period_id}/{self.city_id}/{self.above_scale}"


class Unit(models.Model):
    """A unit of measure with its symbols in both languages (元/CNY, 家/enterprises, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    symbol_zh = models.CharField(_("symbol (Chinese)"), max_length=40, blank=True)
    symbol_en = models.CharField(_("symbol (English)"), max_length=60, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.code
