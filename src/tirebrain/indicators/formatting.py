"""How figures are written: number of decimals and unit per unit code, in the active language."""

from __future__ import annotations

from django.utils.formats import number_format

from tirebrain.core.i18n import is_chinese

DECIMALS = {
    "percent": 2,
    "percent_of_benchmark": 1,
    "percent_change": 1,
    "count": 0,
    "t_co2_per_10k_cny": 3,
    "cny": 1,
}


def unit_symbol(unit: str, display: dict | None = None) -> str:
    from tirebrain.datavalues.models import Unit

    if display:
        return display.get("unit_zh" if is_chinese() else "unit_en", "")
    u = Unit.objects.filter(code=unit).first()
    if u is None:
        return unit
    return (u.symbol_zh or u.symbol_en) if is_chinese() else (u.symbol_en or u.symbol_zh)


def format_number(value: float | None, unit: str, display: dict | None = None) -> str:
    if value is None:
        return "—"
    if display and display.get("divisor"):
        value = value / float(display["divisor"])
    return number_format(value, DECIMALS.get(unit, 2), use_l10n=True, force_grouping=True)
