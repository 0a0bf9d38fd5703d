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


_UNITS: dict[str, tuple[str, str]] = {}


def unit_symbols() -> dict[str, tuple[str, str]]:
    """Unit code → (Chinese, English) symbol, read once per process (until cleared).

    Units are reference data that change only through ``tirebrain reference load``, which clears
    this cache; a page of 18 figures must not ask the database 18 times.
    """
    if not _UNITS:
        from tirebrain.datavalues.models import Unit

        _UNITS.update({u.code: (u.symbol_zh, u.symbol_en) for u in Unit.objects.all()})
    return _UNITS


def clear_unit_symbols() -> None:
    _UNITS.clear()


def unit_symbol(unit: str, display: dict | None = None) -> str:
    if display:
        return display.get("unit_zh" if is_chinese() else "unit_en", "")
    zh, en = unit_symbols().get(unit, (unit, unit))
    return (zh or en) if is_chinese() else (en or zh)


def format_number(value: float | None, unit: str, display: dict | None = None) -> str:
    if value is None:
        return "—"
    if display and display.get("divisor"):
        value = value / float(display["divisor"])
    return number_format(value, DECIMALS.get(unit, 2), use_l10n=True, force_grouping=True)
