"""Officers' views of the registry: class distributions, enterprises' standing against the
high-end thresholds, and products just short of a threshold. All grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from tirebrain.core.i18n import localized_field
from tirebrain.products.highend import NUMERIC_OPS
from tirebrain.products.models import Product

CLASSES = "ABCDE"

#: A value counts as "near" a limit when it misses by at most this share of the limit.
NEAR_SHARE = 0.05

#: How the class distribution may be grouped: the group's code.
GROUPS = {"city": "enterprise__city__code", "enterprise": "enterprise__code"}


def class_distribution(products: QuerySet[Product], field: str, by: str = "city") -> QuerySet:
    """Counts of products per class (``rr_class`` or ``wet_class``) for each group ``by``
    (one of ``GROUPS``): rows with the group's ``code``, ``name_zh`` and ``name_en`` (show them
    with ``localized``), ``A`` … ``E`` and ``total``. Cities in GB/T 2260 order, enterprises by
    name in the active language. A lazy query, grouped in the database: page it."""
    code = GROUPS[by]
    group = code.removesuffix("code")
    counts = {c: Count("id", filter=Q(**{field: c})) for c in CLASSES}
    order = (code,) if by == "city" else (localized_field(f"{group}name"), code)
    return (
        products.exclude(**{field: ""})
        .values(code=F(code), name_zh=F(f"{group}name_zh"), name_en=F(f"{group}name_en"))
        .annotate(total=Count("id"), **counts)
        .order_by(*order)
    )


#: How the enterprises' standing may be ranked, best first: the closest to the high-end
#: thresholds (the default), or the largest share of high-end products by output or by count.
#: Enterprises without a figure come last; ties go by name in the active language.
RANKINGS = {
    "gap": F("gap").asc(nulls_last=True),
    "output": F("share_output").desc(nulls_last=True),
    "count": F("share_count").desc(nulls_last=True),
}


def _per_cent(part, whole) -> ExpressionWrapper:
    """100 × part / whole as a float in the database (NULL when whole is 0 or NULL)."""
    return ExpressionWrapper(
        Cast(part, FloatField()) * Value(100.0) / NullIf(whole, Value(0)),
        output_field=FloatField(),
    )


def enterprise_standing(
    products: QuerySet[Product], year: int | None, rank: str = "gap"
) -> QuerySet:
    """Enterprises with the average distance of their products from the high-end thresholds
    (the stored ``Product.high_end_gap``), their high-end products, and the share of high-end
    products by count and by output in ``year``; ranked by one of ``RANKINGS``.

    One grouped query, ranked by the database, so a page of it reads one page of rows: rows with
    ``code``, ``name_zh``, ``name_en``, ``products``, ``high_end``, ``gap``, ``share_count``,
    ``share_output`` (None without output in ``year``). Outputs are joined for ``year`` only,
    and a product has at most one output a year, so the join repeats no product."""
    return (
        products.annotate(output=FilteredRelation("outputs", condition=Q(outputs__year=year)))
        .values(
            code=F("enterprise__code"),
            name_zh=F("enterprise__name_zh"),
            name_en=F("enterprise__name_en"),
        )
        .annotate(
            products=Count("id"),
            high_end=Count("id", filter=Q(is_high_end=True)),
            gap=Avg("high_end_gap"),
            units=Sum("output__units"),
            high_units=Sum("output__units", filter=Q(is_high_end=True)),
        )
        .annotate(
            share_count=_per_cent(F("high_end"), F("products")),
            share_output=_per_cent(Coalesce(F("high_units"), Value(0)), F("units")),
        )
        .order_by(RANKINGS[rank], localized_field("enterprise__name"), "enterprise__code")
    )


@dataclass(frozen=True)
class NearMiss:
    product: Product
    threshold: dict[str, Any]
    field: str
    limit: float
    value: float
    miss: float

    @property
    def relative(self) -> float:
        """The miss in per cent of the limit: what the near misses are ordered by."""
        return 100 * self.miss / (abs(self.limit) or 1)


def near_misses(
    products: QuerySet[Product], thresholds: list[dict[str, Any]], limit: int = 50
) -> list[NearMiss]:
    """Products that meet every rule of a threshold but one numeric rule, which they miss by at
    most ``NEAR_SHARE`` of its limit: where a small improvement makes a product high-end."""
    found: list[NearMiss] = []
    for t in thresholds:
        rules = [r for r in t.get("rules", []) if r["op"] in NUMERIC_OPS]
        if not rules or len(rules) != len(t.get("rules", [])):
            continue  # category rules have no "near"
        base = products.filter(is_high_end=False)
        if t.get("product_line"):
            base = base.filter(product_line__code=t["product_line"])
        for rule in rules:
            qs = base
            for other in rules:
                if other is not rule:
                    qs = qs.filter(**{f"{other['field']}__{other['op']}": other["value"]})
            value, band = float(rule["value"]), abs(float(rule["value"])) * NEAR_SHARE
            if rule["op"] in ("lte", "lt"):
                qs = qs.filter(
                    **{f"{rule['field']}__gt": value, f"{rule['field']}__lte": value + band}
                )
            else:
                qs = qs.filter(
                    **{f"{rule['field']}__lt": value, f"{rule['field']}__gte": value - band}
                )
            for p in qs.select_related("enterprise")[:limit]:
                v = float(getattr(p, rule["field"]))
                found.append(NearMiss(p, t, rule["field"], value, v, abs(v - value)))
    found.sort(key=lambda m: m.relative)
    return found[:limit]
