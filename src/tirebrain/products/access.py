"""Which products a user may see in full: those of the enterprises they may see.

The public sees every product, but only ``Product.PUBLIC_FIELDS`` (the public look-up page and
the label); the rest — output, test reports — follows the registry's scoping.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tirebrain.accounts.access import enterprises_for, role_of
from tirebrain.accounts.models import Role
from tirebrain.products.models import Product


def products_for(user) -> QuerySet[Product]:
    return Product.objects.filter(enterprise__in=enterprises_for(user).values("pk"))


def access_product(user, pk: int) -> Product:
    """The product if the user may see all of it; 404 otherwise."""
    product = products_for(user).select_related("enterprise", "product_line").filter(pk=pk).first()
    if product is None:
        raise Http404("No such product")
    return product


def may_edit_products(user) -> bool:
    """Provincial officers keep the registry, and an enterprise its own products (its scope
    says which); city and department officers only read it."""
    return role_of(user) in (Role.PROVINCE, Role.ENTERPRISE)


def require_editor(user) -> None:
    """404 for a user who may not change products, as for anything out of reach."""
    if not may_edit_products(user):
        raise Http404("Not available")


def public_product(gtin: str | None = None, pk: int | None = None) -> Product:
    """A product for the public look-up, by GTIN (GS1 Digital Link) or by id."""
    qs = Product.objects.select_related("enterprise")
    product = qs.filter(gtin=gtin).first() if gtin else qs.filter(pk=pk).first()
    if product is None:
        raise Http404("No such product")
    return product
