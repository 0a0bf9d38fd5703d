"""Product pages: the officers' list, detail, form and import, the label, and the public
look-up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tirebrain.accounts.access import cities_for, role_of, scope_of
from tirebrain.accounts.models import Role
from tirebrain.core.errors import Rejected, RowError
from tirebrain.orgs.exchange import read_table
from tirebrain.orgs.models import Enterprise
from tirebrain.products import analysis
from tirebrain.products.access import (
    access_product,
    may_edit_products,
    products_for,
    public_product,
    require_editor,
)
from tirebrain.products.forms import ProductForm
from tirebrain.products.highend import classify
from tirebrain.products.label import label_svg, public_path
from tirebrain.products.models import Product, ProductOutput, TyreClass
from tirebrain.products.services import (
    COLUMNS,
    OUTPUT_PREFIX,
    current_thresholds,
    import_products,
    product_facts,
    product_label_scope,
    save_product,
)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))


@login_required
def product_import(request: HttpRequest) -> HttpResponse:
    """All-or-nothing import of products: provincial officers, and enterprises for themselves."""
    require_editor(request.user)
    errors = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_table(
                upload.name,
                upload.read(),
                COLUMNS,
                required=("credit_code", "brand", "pattern", "size", "product_line"),
                prefixes=(OUTPUT_PREFIX,),
            )
            if role_of(request.user) == Role.ENTERPRISE:  # its own products only
                own = scope_of(request.user).code
                errors = [
                    RowError(i + 2, "credit_code", _("not your enterprise"), upload.name)
                    for i, r in enumerate(rows)
                    if r and str(r.get("credit_code", "")).strip().upper() != own
                ]
                if errors:
                    raise Rejected(errors)
            n = import_products(request.user, rows, source=upload.name)
        except Rejected as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                ngettext("Imported %(n)s product.", "Imported %(n)s products.", n) % {"n": n},
            )
            return redirect("products:product_list")
    return render(
        request,
        "products/product_import.html",
        {
            "nav": "products",
            "form": form,
            "errors": errors,
            "columns": COLUMNS,
            "output_prefix": OUTPUT_PREFIX,
        },
    )


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    return _product_form_page(request, None)


@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request.user)
    return _product_form_page(request, access_product(request.user, pk))


def _product_form_page(request: HttpRequest, product: Product | None) -> HttpResponse:
    """One page for a new product and for a change: the import's rules, saved and audited by
    save_product, then back to the product."""
    form = ProductForm(request.user, request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_product(
                request.user, form.product_input, product=product, seen=form.cleaned_data["seen"]
            )
        except Rejected as exc:
            form.refused(exc.errors)
        else:
            messages.success(request, _("Saved %(product)s.") % {"product": saved})
            return redirect("products:product_detail", pk=saved.pk)
    return render(
        request,
        "products/product_form.html",
        {"nav": "products", "form": form, "product": product},
    )


def _has_numeric_rule(check) -> bool:
    return any(rule.op != "in" for rule in check.checks)


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    qs = products_for(request.user).select_related("enterprise", "enterprise__city")
    if text := request.GET.get("q", "").strip():
        qs = qs.filter(
            Q(size__icontains=text)
            | Q(brand__icontains=text)
            | Q(pattern__icontains=text)
            | Q(enterprise__in=Enterprise.objects.search(text))
        )
    if city := request.GET.get("city"):
        qs = qs.filter(enterprise__city__code=city)
    if tyre_class := request.GET.get("class"):
        qs = qs.filter(tyre_class=tyre_class)
    if request.GET.get("high_end") in ("yes", "no"):
        qs = qs.filter(is_high_end=request.GET["high_end"] == "yes")
    page = Paginator(qs.order_by("enterprise__city__code", "enterprise__code", "size"), 50)
    cities = cities_for(request.user)
    return render(
        request,
        "products/product_list.html",
        {
            "nav": "products",
            "page": page.get_page(request.GET.get("page")),
            "cities": cities,
            "classes": TyreClass.choices,
            "may_edit": may_edit_products(request.user),
        },
    )


@login_required
def product_analysis(request: HttpRequest) -> HttpResponse:
    """Class distributions, enterprises' high-end standing, and products near a threshold."""
    products = products_for(request.user)
    years = sorted(
        ProductOutput.objects.filter(product__in=products).values_list("year", flat=True).distinct()
    )
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    year = year if year in years else (years[-1] if years else None)
    by = request.GET.get("by") if request.GET.get("by") in analysis.GROUPS else "city"
    rank = request.GET.get("rank") if request.GET.get("rank") in analysis.RANKINGS else "gap"
    distribution = {
        key: Paginator(analysis.class_distribution(products, field, by), 25).get_page(
            request.GET.get(f"{key}page")
        )
        for key, field in (("rr", "rr_class"), ("wet", "wet_class"))
    }
    return render(
        request,
        "products/analysis.html",
        {
            "nav": "products",
            "years": years,
            "year": year,
            "by": by,
            "rank": rank,
            **distribution,
            "standing": Paginator(analysis.enterprise_standing(products, year, rank), 25).get_page(
                request.GET.get("spage")
            ),
            "near": analysis.near_misses(products, current_thresholds()),
            "near_share": int(analysis.NEAR_SHARE * 100),
        },
    )


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = access_product(request.user, pk)
    checks = classify(product_facts(product), current_thresholds())
    return render(
        request,
        "products/product_detail.html",
        {
            "nav": "products",
            "p": product,
            # Category thresholds (self-sealing, …) only when met; "not self-sealing" is noise.
            "checks": [c for c in checks if c.applies and (c.met or _has_numeric_rule(c))],
            "outputs": product.outputs.order_by("year"),
            "scope": product_label_scope(product),
            "public_path": public_path(product),
            "may_edit": may_edit_products(request.user),
        },
    )


def label(request: HttpRequest, pk: int) -> HttpResponse:
    """The label image: public, like the label on the tyre itself."""
    svg = label_svg(public_product(pk=pk), request.build_absolute_uri("/"))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def public_lookup(request: HttpRequest) -> HttpResponse:
    """Search by GTIN, or by size and brand: what the public sees of registered products."""
    results = Product.objects.none()
    gtin = request.GET.get("gtin", "").strip()
    size, brand = request.GET.get("size", "").strip(), request.GET.get("brand", "").strip()
    if gtin:
        found = Product.objects.filter(gtin=gtin.zfill(14)).first()
        if found:
            return redirect(public_path(found))
    if size or brand:
        results = list(
            Product.objects.filter(size__icontains=size, brand__icontains=brand)
            .select_related("product_line")
            .prefetch_related("categories")[:50]
        )
        for found in results:  # at most 50: parsing their sizes costs microseconds
            found.label_scope = product_label_scope(found)
    return render(
        request,
        "products/public_lookup.html",
        {
            "results": results,
            "searched": bool(gtin or size or brand),
        },
    )


def public_product_page(
    request: HttpRequest, gtin: str | None = None, pk: int | None = None
) -> HttpResponse:
    product = public_product(gtin=gtin, pk=pk)
    fields = [
        (Product._meta.get_field(name).verbose_name, getattr(product, name))
        for name in Product.PUBLIC_FIELDS
    ]
    return render(
        request,
        "products/public_product.html",
        {"p": product, "fields": fields, "scope": product_label_scope(product)},
    )
