"""``/api/v1/enterprises``: the registry, scoped like the pages."""

from __future__ import annotations

from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tirebrain.accounts.access import access_enterprise, enterprises_for

router = Router(tags=["enterprises"])


class HonourOut(Schema):
    honour: str = Field(..., alias="honour_type.code")
    level: str
    year: int


class EnterpriseOut(Schema):
    credit_code: str = Field(..., alias="code")
    name_zh: str
    name_en: str
    city: str = Field(..., alias="city.code")
    above_scale: bool
    product_lines: list[str]
    capacity_tyres: int | None
    founded_year: int | None
    is_demo: bool

    @staticmethod
    def resolve_product_lines(obj) -> list[str]:
        return [p.code for p in obj.product_lines.all()]


class EnterpriseDetailOut(EnterpriseOut):
    address: str
    honours: list[HonourOut]

    @staticmethod
    def resolve_honours(obj):
        return list(obj.honours.select_related("honour_type"))


@router.get("", response=list[EnterpriseOut], summary="Enterprises in the caller's scope")
@paginate(PageNumberPagination, page_size=100)
def list_enterprises(
    request, q: str = "", city: str | None = None, above_scale: bool | None = None
):
    qs = enterprises_for(request.user).search(q).select_related("city")
    if city:
        qs = qs.filter(city__code=city)
    if above_scale is not None:
        qs = qs.filter(above_scale=above_scale)
    return qs.prefetch_related("product_lines").order_by("code")


@router.get("/{credit_code}", response=EnterpriseDetailOut, summary="One enterprise")
def get_enterprise(request, credit_code: str):
    return access_enterprise(request.user, credit_code)
