"""The web form for one product. Its rules are the import's: the form only gathers the fields
and hands them to :func:`services.check_product`, whose reasons it shows next to each field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tirebrain.accounts.access import enterprises_for
from tirebrain.core.errors import RowError
from tirebrain.orgs.models import ProductLine
from tirebrain.plan.models import PlanVersion
from tirebrain.products.models import Product, ProductCategory
from tirebrain.products.services import (
    COLUMNS,
    FIRST_OUTPUT_YEAR,
    OUTPUT_PREFIX,
    ProductInput,
    check_product,
)

#: The form's text inputs: the import's columns but the yes/no marks and the category list.
TEXT_FIELDS = [name for name, _header in COLUMNS if name not in ("snow", "ice", "categories")]

#: The choice a select starts on, so that nothing is chosen by default.
BLANK = [("", "—")]


def output_years(product: Product | None = None) -> list[int]:
    """The years the form asks output for: the plan's years up to this one (later years the
    import refuses too), and every year the product already has a figure for."""
    version = PlanVersion.objects.current()
    period = version.data.get("period", {}) if version else {}
    this_year = dt.date.today().year
    first = max(int(period.get("start", this_year)), FIRST_OUTPUT_YEAR)
    years = set(range(first, min(int(period.get("end", this_year)), this_year) + 1))
    if product is not None:
        years |= set(product.outputs.values_list("year", flat=True))
    return sorted(years)


def _label(name: str) -> str:
    return capfirst(Product._meta.get_field(name).verbose_name)


def _number(name: str, inputmode: str = "decimal") -> forms.CharField:
    """A number typed as text: check_product reads it exactly as it reads an import cell."""
    return forms.CharField(
        label=_label(name), required=False, widget=forms.TextInput({"inputmode": inputmode})
    )


class ProductForm(forms.Form):
    credit_code = forms.ChoiceField(label=_("Enterprise"))
    brand = forms.CharField(label=_label("brand"))
    pattern = forms.CharField(label=_label("pattern"))
    size = forms.CharField(
        label=_label("size"), widget=forms.TextInput({"placeholder": "205/55 R16 91V"})
    )
    product_line = forms.ChoiceField(label=_label("product_line"))
    rolling_resistance = _number("rolling_resistance")
    wet_grip = _number("wet_grip")
    noise_db = _number("noise_db", "numeric")
    wear_km_per_mm = _number("wear_km_per_mm", "numeric")
    snow = forms.BooleanField(label=_label("snow"), required=False)
    ice = forms.BooleanField(label=_label("ice"), required=False)
    categories = forms.MultipleChoiceField(
        label=_label("categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    gtin = forms.CharField(label=_label("gtin"), required=False)
    test_report = forms.CharField(label=_label("test_report"), required=False)
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)  # see save_product

    def __init__(self, user, *args, product: Product | None = None, **kwargs) -> None:
        """Enterprises to choose from are those in the user's scope; an edited product keeps
        its enterprise."""
        if product is not None:
            kwargs.setdefault("initial", initial_of(product))
        super().__init__(*args, **kwargs)
        enterprises = [
            (e.code, e.name) for e in enterprises_for(user).order_by("city__code", "code")
        ]
        # Nothing chosen until the officer chooses, unless there is nothing to choose from.
        self.fields["credit_code"].choices = (
            enterprises if len(enterprises) == 1 else BLANK + enterprises
        )
        self.fields["credit_code"].disabled = product is not None
        self.fields["product_line"].choices = BLANK + [
            (p.code, p.name) for p in ProductLine.objects.all()
        ]
        self.fields["categories"].choices = [
            (c.code, c.name) for c in ProductCategory.objects.all()
        ]
        self.years = output_years(product)
        for year in self.years:
            self.fields[f"{OUTPUT_PREFIX}{year}"] = forms.CharField(
                label=_("Output %(year)s (tyres)") % {"year": year},
                required=False,
                widget=forms.TextInput({"inputmode": "numeric"}),
            )
        self.product_input: ProductInput | None = None

    # The page's groups of fields.
    def what_fields(self) -> list[forms.BoundField]:
        names = ("credit_code", "brand", "pattern", "size", "product_line", "gtin", "test_report")
        return [self[name] for name in names]

    def measured_fields(self) -> list[forms.BoundField]:
        names = ("rolling_resistance", "wet_grip", "noise_db", "wear_km_per_mm")
        return [self[name] for name in names]

    def output_fields(self) -> list[forms.BoundField]:
        return [self[f"{OUTPUT_PREFIX}{year}"] for year in self.years]

    def clean(self) -> dict:
        data = super().clean()
        said = set(self.errors)  # a field that already says why (a choice outside the list, …)
        self.product_input, problems = check_product(
            {name: data.get(name, "") for name in TEXT_FIELDS},
            snow=data.get("snow", False),
            ice=data.get("ice", False),
            categories=data.get("categories", []),
            outputs={str(y): data.get(f"{OUTPUT_PREFIX}{y}", "") for y in self.years},
        )
        for name, reason in problems:
            if name not in said:
                self.add_error(name, reason)
        return data

    def refused(self, errors: list[RowError]) -> None:
        """What saving refused (a GTIN another product holds, …), shown like the form's own."""
        for e in errors:
            self.add_error(e.field if e.field in self.fields else None, e.reason)


def initial_of(product: Product) -> dict:
    """The form's fields filled from a stored product."""
    texts = ("brand", "pattern", "size", "gtin", "test_report")
    numbers = ("rolling_resistance", "wet_grip", "noise_db", "wear_km_per_mm")
    return (
        {
            name: "" if getattr(product, name) is None else str(getattr(product, name))
            for name in texts + numbers
        }
        | {
            "credit_code": product.enterprise.code,
            "product_line": product.product_line.code,
            "snow": product.snow,
            "ice": product.ice,
            "categories": list(product.categories.values_list("code", flat=True)),
            "seen": product.updated_at.isoformat(),
        }
        | {f"{OUTPUT_PREFIX}{o.year}": str(o.units) for o in product.outputs.all()}
    )
