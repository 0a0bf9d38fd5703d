"""Officers' views of the registry: class distributions, enterprises' standing against the
high-end thresholds, and products just short of a threshold. All grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum

from tirebrain.products.highend import NUMERIC_OPS
from tirebrain.products.models import Product, ProductOutput

CLASSES = "ABCDE"

#: A value counts as "near" a limit when it misses by at most this share of the limit.
NEAR_SHARE = 0.05


def class_distribution(products: QuerySet[Product], field: str, by: str) -> list[dict[str, Any]]:
    """Counts of products per class (``rr_class`` or ``wet_class``) for each group ``by``
    (``enterprise__city__code`` or ``enterprise__code``), one query."""
    counts = {c: Count("id", filter=Q(**{field: c})) for c in CLASSES}
    rows = (
        products.exclude(**{field: ""})
        .values(by, name=F(by.replace("__code", "__name_zh")))
        .annotate(total=Count("id"), **counts)
        .order_by(by)
    )
    return list(rows)


#: How the enterprises' standing may be ranked: the furthest from the plan's direction first.
RANKINGS = {
    "output": lambda s: (s["share_output"] is None, s["share_output"] or 0, s["code"]),
    "count": lambda s: (s["share_count"] is None, s["share_count"] or 0, s["code"]),
    "gap": lambda s: (s["gap"] is None, -(s["gap"] or 0), s["code"]),
}


def enterprise_standing(
    products: QuerySet[Product], year: int, rank: str = "output"
) -> list[dict[str, Any]]:
    """Enterprises with their share of high-end products by count and by output in ``year``,
    and the average distance of their products from the high-end thresholds (the stored
    ``Product.high_end_gap``, averaged by the database), ranked by one of ``RANKINGS``."""
    outputs = ProductOutput.objects.filter(product__in=products, year=year)
    by_output = {
        r["product__enterprise__code"]: r
        for r in outputs.values("product__enterprise__code").annotate(
            total_units=Sum("units"),
            high_units=Sum("units", filter=Q(product__is_high_end=True)),
        )
    }
    rows = products.values(
        "enterprise__code", "enterprise__name_zh", "enterprise__name_en"
    ).annotate(n=Count("id"), high=Count("id", filter=Q(is_high_end=True)), gap=Avg("high_end_gap"))
    standing = []
    for r in rows:
        out = by_output.get(r["enterprise__code"], {})
        units, high_units = out.get("total_units") or 0, out.get("high_units") or 0
        standing.append(
            {
                "code": r["enterprise__code"],
                "name_zh": r["enterprise__name_zh"],
                "name_en": r["enterprise__name_en"],
                "products": r["n"],
                "high_end": r["high"],
                "share_count": 100 * r["high"] / r["n"] if r["n"] else None,
                "share_output": 100 * high_units / units if units else None,
                "gap": r["gap"],
            }
        )
    standing.sort(key=RANKINGS[rank])
    return standing


@dataclass(frozen=True)
class NearMiss:
    product: Product
    threshold: dict[str, Any]
    field: str
    limit: float
    value: float
    miss: float


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
    found.sort(key=lambda m: m.miss / (abs(m.limit) or 1))
    return found[:limit]
