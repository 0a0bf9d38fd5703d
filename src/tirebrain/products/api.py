"""``/api/v1/sizes``, ``/api/v1/grades`` and ``/api/v1/products``.

Parsing and grading are open to anyone (they reveal nothing). Products: the public fields for
everyone; all fields of the products in the caller's scope for a logged-in caller.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from tirebrain.products.access import products_for
from tirebrain.products.grading import GradingError, grade, label_scope, scope_facts
from tirebrain.products.models import Product
from tirebrain.products.services import LABEL_SCHEME
from tirebrain.products.sizes import SizeError, parse_size

router = Router(tags=["products"])


class SizeOut(Schema):
    text: str
    family: str
    construction: str
    prefix: str
    section_width_mm: float | None
    aspect_ratio: int | None
    rim_diameter_in: float
    load_indices: list[int]
    load_kg: list[float]
    speed_symbol: str | None
    speed_kmh: int | None
    reinforced: bool
    run_flat: bool
    tyre_class: str | None


class SizeErrorOut(Schema):
    text: str
    position: int
    reason: str
    message: str


@router.get(
    "/sizes/parse",
    auth=None,
    response={200: SizeOut, 422: SizeErrorOut},
    summary="Parse a tyre size designation",
)
def parse(request, text: str):
    try:
        size = parse_size(text)
    except SizeError as exc:
        return Status(
            422,
            {
                "text": text,
                "position": exc.position,
                "reason": exc.reason,
                "message": str(exc),
            },
        )
    return Status(200, size)


class GradeIn(Schema):
    """Measured values, and optionally what tells whether the tyre is within the label's scope
    (Regulation (EU) 2020/740 Art. 2): the size (its family, prefix, speed and rim, and its tyre
    class when ``tyre_class`` is left out), or the speed and rim themselves (they override the
    size's), special categories, the product line, and flags the size cannot tell."""

    tyre_class: str | None = None
    rolling_resistance: float | None = None
    wet_grip: float | None = None
    noise_db: float | None = None
    section_width_mm: float | None = None
    snow: bool = False
    extra_load: bool = False
    scheme: str = LABEL_SCHEME
    size: str | None = None
    speed_kmh: float | None = None
    rim_diameter_in: float | None = None
    categories: list[str] = []
    product_line: str | None = None
    flags: list[str] = []


class ScopeReasonOut(Schema):
    code: str
    article: str
    message: str


class GradeOut(Schema):
    scheme: str
    rr_class: str | None
    wet_class: str | None
    noise_class: str | None
    noise_limit_db: float | None
    in_scope: bool = True
    out_of_scope: list[ScopeReasonOut] = []


@router.post(
    "/grades",
    auth=None,
    response={200: GradeOut, 422: dict},
    summary="Label classes of a set of measured values",
)
def grades(request, payload: GradeIn):
    """Out of scope: no classes (null), ``in_scope`` false and the reasons in ``out_of_scope``."""
    tyre_class = payload.tyre_class
    try:
        size = None
        if payload.size:
            try:
                size = parse_size(payload.size)
            except SizeError as exc:
                return Status(422, {"detail": str(exc), "reason": exc.reason})
            tyre_class = tyre_class or size.tyre_class
        facts = scope_facts(
            size,
            categories=payload.categories,
            product_line=payload.product_line,
            flags=payload.flags,
        )
        if payload.speed_kmh is not None:
            facts["speed_kmh"] = payload.speed_kmh
        if payload.rim_diameter_in is not None:
            facts["rim_diameter_in"] = payload.rim_diameter_in
        scope = label_scope(payload.scheme, facts)
        if not scope.in_scope:
            return Status(
                200,
                {
                    "scheme": payload.scheme,
                    "rr_class": None,
                    "wet_class": None,
                    "noise_class": None,
                    "noise_limit_db": None,
                    "in_scope": False,
                    "out_of_scope": [
                        {"code": r.code, "article": r.article, "message": r.message}
                        for r in scope.reasons
                    ],
                },
            )
        if not tyre_class:
            raise GradingError(_("give the tyre class (C1, C2 or C3), or a size that tells it"))
        g = grade(
            payload.scheme,
            tyre_class,
            rolling_resistance=payload.rolling_resistance,
            wet_grip=payload.wet_grip,
            noise_db=payload.noise_db,
            section_width_mm=payload.section_width_mm,
            snow=payload.snow,
            extra_load=payload.extra_load,
        )
    except GradingError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(
        200,
        {
            "scheme": payload.scheme,
            "rr_class": g.rr_class,
            "wet_class": g.wet_class,
            "noise_class": g.noise_class,
            "noise_limit_db": g.noise_limit_db,
        },
    )


class ProductOut(Schema):
    """A product as anyone may see it."""

    id: int
    brand: str
    pattern: str
    size: str
    tyre_class: str
    load_index: str
    speed_symbol: str
    rolling_resistance: float | None
    wet_grip: float | None
    noise_db: int | None
    rr_class: str
    wet_class: str
    noise_class: str
    snow: bool
    ice: bool
    gtin: str | None


class ProductFullOut(ProductOut):
    """A product as its enterprise and the officers above it see it. For anyone else the
    fields below are left out of the answer, as is any field without a value."""

    enterprise: str | None = None
    product_line: str | None = None
    wear_km_per_mm: int | None = None
    test_report: str | None = None
    is_high_end: bool | None = None
    high_end_rules: list[str] | None = None
    outputs: dict[int, int] | None = None


def public_fields(p: Product) -> dict:
    return {name: getattr(p, name) for name in ("id", *Product.PUBLIC_FIELDS)}


def all_fields(p: Product) -> dict:
    return public_fields(p) | {
        "enterprise": p.enterprise.code,
        "product_line": p.product_line.code,
        "wear_km_per_mm": p.wear_km_per_mm,
        "test_report": p.test_report,
        "is_high_end": p.is_high_end,
        "high_end_rules": p.high_end_rules,
        "outputs": {o.year: o.units for o in p.outputs.all()},
    }


@router.get(
    "/products", auth=None, response=list[ProductOut], summary="Registered products (public fields)"
)
@paginate(PageNumberPagination, page_size=100)
def list_products(request, size: str = "", brand: str = "", gtin: str = ""):
    qs = Product.objects.all()
    if size:
        qs = qs.filter(size__icontains=size)
    if brand:
        qs = qs.filter(brand__icontains=brand)
    if gtin:
        qs = qs.filter(gtin=gtin.zfill(14))
    return qs.order_by("pk")


@router.get(
    "/products/{product_id}",
    auth=None,
    response=ProductFullOut,
    exclude_none=True,
    summary="One product: every field within the caller's scope, else the public ones",
)
def get_product(request, product_id: int):
    from tirebrain.api import optional_user

    user = optional_user(request)
    if user is not None:
        full = (
            products_for(user)
            .select_related("enterprise", "product_line")
            .prefetch_related("outputs")
            .filter(pk=product_id)
            .first()
        )
        if full is not None:
            return all_fields(full)
    public = Product.objects.filter(pk=product_id).first()
    if public is None:
        raise Http404
    return public_fields(public)
