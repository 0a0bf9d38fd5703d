"""State changes of the product registry: validated, all-or-nothing, derived, audited.

A product's size is parsed (tyre class, rim, aspect ratio, …), its label classes are graded with
the grading scheme in force, and the plan's high-end thresholds are checked — on every save, so
the stored classes always follow from the stored values.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tirebrain.core import audit
from tirebrain.core.cells import FALSE_WORDS, TRUE_WORDS
from tirebrain.core.errors import Rejected, RowError
from tirebrain.core.models import AuditAction
from tirebrain.orgs.models import Enterprise, ProductLine
from tirebrain.products.gtin import GtinError, normalise_gtin
from tirebrain.products.highend import classify, high_end_codes, high_end_gap
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
    """A product as an import row or the web form states it, once :func:`check_product` has
    accepted it. ``outputs`` are tyres made per year; None removes a year's figure."""

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
    outputs: dict[int, int | None] = field(default_factory=dict)


def current_thresholds() -> list[dict[str, Any]]:
    from tirebrain.plan.models import PlanVersion

    version = PlanVersion.objects.current()
    return version.data.get("thresholds", []) if version else []


def derive(product: Product, categories: list[str], thresholds: list[dict[str, Any]]) -> None:
    """Fill the fields that follow from the product's size and measured values. A product
    outside the label scheme's scope (:func:`product_label_scope`) gets no label classes."""
    from tirebrain.products.grading import grade
    from tirebrain.products.sizes import parse_size

    size = parse_size(product.size)
    in_scope = product_label_scope(product, categories, size).in_scope
    product.size = size.text
    product.tyre_class = size.tyre_class or ""
    product.section_width_mm = size.section_width_mm
    product.aspect_ratio = size.aspect_ratio
    product.rim_diameter_in = size.rim_diameter_in
    product.construction = size.construction
    product.load_index = "/".join(str(li) for li in size.load_indices)
    product.speed_symbol = size.speed_symbol or ""
    product.rr_class = product.wet_class = product.noise_class = ""
    if product.tyre_class and in_scope:
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
    checks = classify(product_facts(product, categories), thresholds)
    product.high_end_rules = high_end_codes(checks)
    product.is_high_end = bool(product.high_end_rules)
    product.high_end_gap = high_end_gap(checks)


def product_label_scope(product: Product, categories: list[str] | None = None, size=None):
    """Whether the product is within the label scheme's scope (Regulation (EU) 2020/740 Art. 2),
    else the reasons: from its size, special categories (from the database unless given) and
    product line. Computed, not stored: it costs a size parse (lists should prefetch the
    categories and select the product line)."""
    from tirebrain.products.grading import label_scope, scope_facts
    from tirebrain.products.sizes import try_parse

    if size is None:
        size = try_parse(product.size) if product.size else None
    if categories is None:
        categories = [c.code for c in product.categories.all()] if product.pk else []
    line = product.product_line.code if product.product_line_id else None
    return label_scope(LABEL_SCHEME, scope_facts(size, categories=categories, product_line=line))


#: The fields ``derive`` fills: what re-deriving may change.
DERIVED_FIELDS = (
    "size",
    "tyre_class",
    "section_width_mm",
    "aspect_ratio",
    "rim_diameter_in",
    "construction",
    "load_index",
    "speed_symbol",
    "rr_class",
    "wet_class",
    "noise_class",
    "high_end_rules",
    "is_high_end",
    "high_end_gap",
)


def rederive_all(actor, *, batch: int = 1000) -> int:
    """Derive every product again — after the plan's thresholds or a grading table changed — and
    save those whose derived fields changed (one audit entry for the run). Returns how many."""
    thresholds = current_thresholds()
    changed = 0
    products = Product.objects.select_related("product_line").prefetch_related("categories")
    for start in range(0, Product.objects.count(), batch):
        page = list(products.order_by("pk")[start : start + batch])
        dirty = []
        for product in page:
            before = [getattr(product, f) for f in DERIVED_FIELDS]
            derive(product, [c.code for c in product.categories.all()], thresholds)
            if [getattr(product, f) for f in DERIVED_FIELDS] != before:
                dirty.append(product)
        Product.objects.bulk_update(dirty, DERIVED_FIELDS)
        changed += len(dirty)
    if changed:
        audit.record(
            actor,
            AuditAction.UPDATE,
            "product",
            "*",
            after={"rederived": changed},
            summary=f"re-derived classes and high-end verdicts: {changed} products changed",
        )
    return changed


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
    actor,
    data: ProductInput,
    *,
    product: Product | None = None,
    seen: dt.datetime | None = None,
    thresholds: list | None = None,
    is_demo: bool = False,
) -> Product:
    """Create or change a product. Without ``product`` it is matched by enterprise, brand,
    pattern and size (what an import row names); with it, that product is changed, so an edit
    may correct its brand, pattern or size — unless it was changed since ``seen`` (the
    ``updated_at`` the editor was shown), which would silently undo someone else's change. A
    year's output of None removes it. Refuses (with nothing stored) a GTIN another product
    holds, or an edit onto another product's name."""
    from tirebrain.products.sizes import parse_size

    enterprise = Enterprise.objects.get(code=data.enterprise)
    size = parse_size(data.size).text
    same_name = Product.objects.filter(
        enterprise=enterprise, brand=data.brand, pattern=data.pattern, size=size
    )
    if product is None:
        product = same_name.select_for_update().first()
    else:
        product = Product.objects.select_for_update().get(pk=product.pk)
        if seen is not None and product.updated_at != seen:
            reason = _("someone changed this product since you opened it; open it again")
            raise Rejected([RowError(0, "", reason)])
        if same_name.exclude(pk=product.pk).exists():
            reason = _("the enterprise has another product of this brand, pattern and size")
            raise Rejected([RowError(0, "size", reason)])
    holders = Product.objects.filter(gtin=data.gtin)
    if data.gtin and (holders.exclude(pk=product.pk) if product else holders).exists():
        reason = _("GTIN %(g)s belongs to another product") % {"g": data.gtin}
        raise Rejected([RowError(0, "gtin", reason)])
    before = product_snapshot(product) if product else None
    product = product or Product(enterprise=enterprise, is_demo=is_demo)
    product.enterprise = enterprise
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
        if units is None:
            ProductOutput.objects.filter(product=product, year=year).delete()
        else:
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


#: The first year a product output may be given for (the last is the current year).
FIRST_OUTPUT_YEAR = 1990


def check_product(
    texts: Mapping[str, str],
    *,
    snow: bool,
    ice: bool,
    categories: Iterable[str],
    outputs: Mapping[str, str],
) -> tuple[ProductInput | None, list[tuple[str, str]]]:
    """The rules every product obeys, whether an import row or the web form gives it: the
    ProductInput, or every (field, reason) against it. ``texts`` holds the stripped texts of
    the COLUMNS but ``snow``, ``ice`` and ``categories``; ``outputs`` the units per year, both
    as text (an empty text gives None: no output that year). Fields are named as in COLUMNS,
    outputs as ``output_YYYY``."""
    from tirebrain.products.sizes import SizeError, parse_size

    errors: list[tuple[str, str]] = []

    def err(name: str, reason: str) -> None:
        errors.append((name, reason))

    def text(key: str) -> str:
        return texts.get(key) or ""

    code = text("credit_code").upper()
    if not Enterprise.objects.filter(code=code).exists():
        err("credit_code", _("no enterprise with the credit code “%(c)s”") % {"c": code})
    for name in ("brand", "pattern"):
        if not text(name):
            err(name, _("required"))
    for name in ("brand", "pattern", "test_report"):  # free text, as long as the column allows
        if len(text(name)) > (limit := Product._meta.get_field(name).max_length):
            err(name, _("longer than %(n)s characters") % {"n": limit})
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
    known = set(ProductCategory.objects.values_list("code", flat=True))
    categories = list(categories)
    for c in categories:
        if c not in known:
            err("categories", _("unknown category “%(c)s”") % {"c": c})
    gtin = None
    if text("gtin"):
        try:
            gtin = normalise_gtin(text("gtin"))
        except GtinError as exc:
            err("gtin", str(exc))
    units_by_year: dict[int, int | None] = {}
    this_year = dt.date.today().year
    for year, value in outputs.items():
        name = OUTPUT_PREFIX + year
        units = _decimal(value, name, err, 0, 10**10, 0)
        if not year.isdigit() or not FIRST_OUTPUT_YEAR <= int(year) <= this_year:
            err(name, _("“%(y)s” is not a year") % {"y": year})
        else:
            units_by_year[int(year)] = None if units is None else int(units)
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
        snow=snow,
        ice=ice,
        wear_km_per_mm=None if wear is None else int(wear),
        categories=categories,
        gtin=gtin,
        test_report=text("test_report"),
        outputs=units_by_year,
    ), []


def parse_product_row(
    raw: dict[str, Any], row: int, source: str
) -> tuple[ProductInput | None, list[RowError]]:
    """A row of a product import as a ProductInput, or every reason it is not one. Blank output
    cells leave that year's figure as it is."""

    def text(key: str) -> str:
        value = raw.get(key)
        return "" if value is None else str(value).strip()

    errors: list[tuple[str, str]] = []
    flags = {}
    for name in ("snow", "ice"):
        word = text(name).lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            errors.append((name, _("expected yes or no, got “%(v)s”") % {"v": text(name)}))
        flags[name] = word in TRUE_WORDS
    categories = [c.strip() for c in text("categories").replace("；", ";").split(";")]
    item, problems = check_product(
        {name: text(name) for name, _label in COLUMNS},
        snow=flags["snow"],
        ice=flags["ice"],
        categories=[c for c in categories if c],
        outputs={
            str(key)[len(OUTPUT_PREFIX) :]: str(value)
            for key, value in raw.items()
            if key and str(key).startswith(OUTPUT_PREFIX) and value not in (None, "")
        },
    )
    errors += problems
    if errors:
        return None, [RowError(row, name, reason, source) for name, reason in errors]
    return item, []


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
    """All-or-nothing: any bad row refuses the file, listing every problem. Returns rows saved.

    Rows are checked on their own first; what only the registry can tell (a GTIN another
    product holds) is found while saving, and refuses the file just the same."""
    parsed, errors = [], []
    for i, raw in enumerate(rows):
        if raw is None:
            continue
        item, row_errors = parse_product_row(raw, first_row + i, source)
        errors += row_errors
        if item is not None:
            parsed.append((first_row + i, item))
    if errors:
        raise Rejected(errors)
    thresholds = current_thresholds()
    for row, item in parsed:
        try:
            save_product(actor, item, thresholds=thresholds)
        except Rejected as exc:
            errors += [replace(e, row=row, source=source) for e in exc.errors]
    if errors:
        raise Rejected(errors)
    audit.record(
        actor,
        AuditAction.IMPORT,
        "product",
        source,
        after={"rows": len(parsed)},
        summary=f"{source}: {len(parsed)} rows",
    )
    return len(parsed)
