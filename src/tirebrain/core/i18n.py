"""Bilingual records: every named thing stores ``name_zh`` and ``name_en``; show the active one."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def is_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def localized(obj: Any, field: str = "name") -> str:
    """``obj.<field>_zh`` or ``obj.<field>_en`` in the active language, else the other one.

    ``obj`` may be a model, any object with those attributes, or a dict from the plan file.
    """
    get = obj.get if isinstance(obj, dict) else lambda key: getattr(obj, key, "")
    zh, en = get(f"{field}_zh") or "", get(f"{field}_en") or ""
    return (zh or en) if is_chinese() else (en or zh)


def localized_field(path: str = "name") -> Coalesce:
    """:func:`localized` in the database: ``<path>_zh`` or ``<path>_en`` in the active language,
    else the other one — to order or group rows by a name without fetching them
    (``localized_field("enterprise__name")``)."""
    first, other = ("zh", "en") if is_chinese() else ("en", "zh")
    return Coalesce(NullIf(F(f"{path}_{first}"), Value("")), F(f"{path}_{other}"))


class BilingualNameMixin:
    """For models with ``name_zh``/``name_en``: ``.name`` is the name in the active language."""

    @property
    def name(self) -> str:
        return localized(self)
