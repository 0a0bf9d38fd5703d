"""State changes of the product registry: validated, all-or-nothing, derived, audited.

A product's size is parsed (tyre class, rim, aspect ratio, …), its label classes are graded with
the grading scheme in force, and the plan's high-end thresholds are checked — on every save, so
the stored classes always follow from the stored values.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tirebrain.core import audit
from tirebrain.core.cells import FALSE_WORDS, TRUE_WORDS
from tirebrain.core.errors import Rejected, RowError
from tirebrain.core.models import AuditAction
from tirebrain.orgs.models import Enterprise, ProductLine
from tirebrain.products.gtin import GtinError, normalise_gtin
from tirebrain.products.highend import classify, high_end_codes
from tirebrain.products.models import Product, ProductCategory, ProductOutput

#: The label grading scheme products are graded with (a file in data/grading/).
LABEL_SCHEME = "eu-2020-740"


@transaction.atomic
def load_categories(data: dict[str, Any]) -> int:
    """Upsert the special product categories from the metadata file."""
    for c in data.get("product_categories", []):
        ProductCategory.objects.update_or_create(
            code=c["code"], defaults={"name_zh": c["name_zh"], "name_en": c["name_en"]}
        )
    return len(data.get("product_categories", []))


@dataclass
class ProductInput:
    enterprise: str
    brand: str
    pattern: str
    size: str
    product_line: str
    rolling_resistance: decimal.Decimal | None = None
    wet_grip: decimal.Decimal | None = None
    noise_db: int | None = None
    snow: bool = False
    ice: bool = False
    wear_km_per_mm: int | None = None
    categories: list[str] = field(default_factory=list)
    gtin: str | None = None
    test_report: str = ""
    outputs: dict[int, int] = field(default_factory=dict)


def current_thresholds() -> list[dict[str, Any]]:
    from tirebrain.plan.models import PlanVersion

    version = PlanVersion.objects.current()
    return version.data.get("thresholds", []) if version else []


def derive(product: Product, categories: list[str], thresholds: list[dict[str, Any]]) -> None:
    """Fill the fields that follow from the product's size and measured values."""
    from tirebrain.products.grading import grade
    from tirebrain.products.sizes import parse_size

    size = parse_size(product.size)
    product.size = size.text
    product.tyre_class = size.tyre_class or ""
    product.section_width_mm = size.section_width_mm
    product.aspect_ratio = size.aspect_ratio
    product.rim_diameter_in = size.rim_diameter_in
    product.construction = size.construction
    product.load_index = "/".join(str(li) for li in size.load_indices)
    product.speed_symbol = size.speed_symbol or ""
    product.rr_class = product.wet_class = product.noise_class = ""
    if product.tyre_class:
        grades = grade(
            LABEL_SCHEME,
            product.tyre_class,
            rolling_resistance=_float(product.rolling_resistance),
            wet_grip=_float(product.wet_grip),
            noise_db=_float(product.noise_db),
            section_width_mm=product.section_width_mm,
            snow=product.snow,
        )
        product.rr_class = grades.rr_class or ""
        product.wet_class = grades.wet_class or ""
        product.noise_class = grades.noise_class or ""
    product.high_end_rules = high_end_codes(
        classify(product_facts(product, categories), thresholds)
    )
    product.is_high_end = bool(product.high_end_rules)


def product_facts(product: Product, categories: list[str] | None = None) -> dict[str, Any]:
    """What the plan's high-end rules test, from a product (its categories from the database
    unless given)."""
    if categories is None:
        categories = list(product.categories.values_list("code", flat=True))
    return {
        "product_line": product.product_line.code,
        "categories": categories,
        "aspect_ratio": product.aspect_ratio,
        "rim_diameter_in": product.rim_diameter_in,
        "section_width_mm": product.section_width_mm,
        "noise_db": product.noise_db,
        "rolling_resistance": product.rolling_resistance,
        "wet_grip": product.wet_grip,
        "wear_km_per_mm": product.wear_km_per_mm,
    }


def _float(value) -> float | None:
    return None if value is None else float(value)


def product_snapshot(p: Product) -> dict[str, Any]:
    data = audit.snapshot(p)
    data["categories"] = sorted(p.categories.values_list("code", flat=True))
    data["outputs"] = {str(o.year): o.units for o in p.outputs.all()}
    data.pop("updated_at", None)
    return data


@transaction.atomic
def save_product(
    actor, data: ProductInput, *, thresholds: list | None = None, is_demo: bool = False
) -> Product:
    """Create or change a product (matched by enterprise, brand, pattern and size)."""
    from tirebrain.products.sizes import parse_size

    enterprise = Enterprise.objects.get(code=data.enterprise)
    size = parse_size(data.size).text
    product = (
        Product.objects.select_for_update()
        .filter(enterprise=enterprise, brand=data.brand, pattern=data.pattern, size=size)
        .first()
    )
    before = product_snapshot(product) if product else None
    product = product or Product(enterprise=enterprise, is_demo=is_demo)
    for name in (
        "brand",
        "pattern",
        "rolling_resistance",
        "wet_grip",
        "noise_db",
        "snow",
        "ice",
        "wear_km_per_mm",
        "gtin",
        "test_report",
    ):
        setattr(product, name, getattr(data, name))
    product.size = size
    product.product_line = ProductLine.objects.get(code=data.product_line)
    derive(product, data.categories, current_thresholds() if thresholds is None else thresholds)
    product.save()
    product.categories.set(ProductCategory.objects.filter(code__in=data.categories))
    for year, units in data.outputs.items():
        ProductOutput.objects.update_or_create(
            product=product, year=year, defaults={"units": units}
        )
    after = product_snapshot(product)
    if before != after:
        audit.record(
            actor,
            AuditAction.UPDATE if before else AuditAction.CREATE,
            "product",
            product.pk,
            before=before,
            after=after,
        )
    return product


# --- import ------------------------------------------------------------------------------------

COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("brand", "品牌"),
    ("pattern", "花纹"),
    ("size", "规格"),
    ("product_line", "产品线"),
    ("rolling_resistance", "滚动阻力系数"),
    ("wet_grip", "湿路面抓着指数"),
    ("noise_db", "外部滚动噪声"),
    ("snow", "雪地标志"),
    ("ice", "冰面标志"),
    ("wear_km_per_mm", "磨耗单耗"),
    ("categories", "特殊类别"),
    ("gtin", "GTIN"),
    ("test_report", "检测报告"),
]
OUTPUT_PREFIX = "output_"  # output_2024 …: tyres made that year


def parse_product_row(
    raw: dict[str, Any], row: int, source: str
) -> tuple[ProductInput | None, list[RowError]]:
    """A row of a product import as a ProductInput, or every reason it is not one."""
    from tirebrain.products.sizes import SizeError, parse_size

    errors: list[RowError] = []

    def err(name: str, reason: str) -> None:
        errors.append(RowError(row, name, reason, source))

    def text(key: str) -> str:
        value = raw.get(key)
        return "" if value is None else str(value).strip()

    code = text("credit_code").upper()
    if not Enterprise.objects.filter(code=code).exists():
        err("credit_code", _("no enterprise with the credit code “%(c)s”") % {"c": code})
    for name in ("brand", "pattern"):
        if not text(name):
            err(name, _("required"))
    try:
        parse_size(text("size"))
    except SizeError as exc:
        err("size", str(exc))
    line = text("product_line")
    if not ProductLine.objects.filter(code=line).exists():
        err("product_line", _("unknown product line “%(p)s”") % {"p": line})
    rr = _decimal(text("rolling_resistance"), "rolling_resistance", err, 0, 30, 1)
    wet = _decimal(text("wet_grip"), "wet_grip", err, 0, 3, 2)
    noise = _decimal(text("noise_db"), "noise_db", err, 40, 100, 0)
    wear = _decimal(text("wear_km_per_mm"), "wear_km_per_mm", err, 0, 200000, 0)
    flags = {}
    for name in ("snow", "ice"):
        word = text(name).lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            err(name, _("expected yes or no, got “%(v)s”") % {"v": text(name)})
        flags[name] = word in TRUE_WORDS
    known = set(ProductCategory.objects.values_list("code", flat=True))
    categories = [c for c in text("categories").replace("；", ";").split(";") if c.strip()]
    categories = [c.strip() for c in categories]
    for c in categories:
        if c not in known:
            err("categories", _("unknown category “%(c)s”") % {"c": c})
    gtin = None
    if text("gtin"):
        try:
            gtin = normalise_gtin(text("gtin"))
        except GtinError as exc:
            err("gtin", str(exc))
    outputs = {}
    this_year = dt.date.today().year
    for key, value in raw.items():
        if key and str(key).startswith(OUTPUT_PREFIX) and value not in (None, ""):
            year = str(key)[len(OUTPUT_PREFIX) :]
            units = _decimal(str(value), str(key), err, 0, 10**10, 0)
            if not year.isdigit() or not 1990 <= int(year) <= this_year:
                err(str(key), _("“%(y)s” is not a year") % {"y": year})
            elif units is not None:
                outputs[int(year)] = int(units)
    if errors:
        return None, errors
    return ProductInput(
        enterprise=code,
        brand=text("brand"),
        pattern=text("pattern"),
        size=text("size"),
        product_line=line,
        rolling_resistance=rr,
        wet_grip=wet,
        noise_db=None if noise is None else int(noise),
        snow=flags["snow"],
        ice=flags["ice"],
        wear_km_per_mm=None if wear is None else int(wear),
        categories=categories,
        gtin=gtin,
        test_report=text("test_report"),
        outputs=outputs,
    ), []


def _decimal(value: str, name: str, err, low: float, high: float, places: int):
    if value == "":
        return None
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        err(name, _("“%(v)s” is not a number") % {"v": value})
        return None
    if not number.is_finite() or not low <= number <= high:
        err(
            name,
            _("%(v)s is out of range (%(lo)s to %(hi)s)") % {"v": value, "lo": low, "hi": high},
        )
        return None
    if number != round(number, places):
        err(name, _("%(v)s has more than %(n)s decimals") % {"v": value, "n": places})
        return None
    return number


@transaction.atomic
def import_products(
    actor, rows: list[dict[str, Any] | None], *, source: str, first_row: int = 2
) -> int:
    """All-or-nothing: any bad row refuses the file, listing every problem. Returns rows saved."""
    parsed, errors = [], []
    for i, raw in enumerate(rows):
        if raw is None:
            continue
        item, row_errors = parse_product_row(raw, first_row + i, source)
        errors += row_errors
        if item is not None:
            parsed.append(item)
    if errors:
        raise Rejected(errors)
    thresholds = current_thresholds()
    for item in parsed:
        save_product(actor, item, thresholds=thresholds)
    audit.record(
        actor,
        AuditAction.IMPORT,
        "product",
        source,
        after={"rows": len(parsed)},
        summary=f"{source}: {len(parsed)} rows",
    )
    return len(parsed)
