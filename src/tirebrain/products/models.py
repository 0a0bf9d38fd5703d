"""The tyre product registry: each enterprise's products, their label classes and output.

Label classes and the high-end verdict are *derived* from the measured values by the grading
scheme and the plan's thresholds; they are stored (and re-derived whenever a product or the plan
changes) so that class distributions and the T18 share are grouped queries, not Python loops.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tirebrain.core.i18n import BilingualNameMixin


class TyreClass(models.TextChoices):
    C1 = "C1", _("C1 (passenger car)")
    C2 = "C2", _("C2 (light truck, van)")
    C3 = "C3", _("C3 (truck, bus)")


class ProductCategory(BilingualNameMixin, models.Model):
    """A special category the plan names (self-sealing, non-pneumatic, wide-base, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)

    class Meta:
        ordering = ["id"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name_zh


class Product(models.Model):
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="products",
    )
    brand = models.CharField(_("brand"), max_length=80)
    pattern = models.CharField(_("pattern"), max_length=80)
    size = models.CharField(_("size"), max_length=60, help_text=_("e.g. 205/55 R16 91V"))
    product_line = models.ForeignKey(
        "orgs.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    tyre_class = models.CharField(
        _("tyre class"), max_length=2, choices=TyreClass.choices, blank=True
    )
    section_width_mm = models.FloatField(_("section width (mm)"), null=True, blank=True)
    aspect_ratio = models.PositiveSmallIntegerField(_("aspect ratio"), null=True, blank=True)
    rim_diameter_in = models.FloatField(_("rim diameter (inch)"), null=True, blank=True)
    construction = models.CharField(_("construction"), max_length=12, blank=True)
    load_index = models.CharField(_("load index"), max_length=15, blank=True)
    speed_symbol = models.CharField(_("speed symbol"), max_length=4, blank=True)
    rolling_resistance = models.DecimalField(
        _("rolling-resistance coefficient (N/kN)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    wet_grip = models.DecimalField(
        _("wet-grip index G"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    noise_db = models.PositiveSmallIntegerField(
        _("external rolling noise (dB)"), null=True, blank=True
    )
    snow = models.BooleanField(_("snow (3PMSF)"), default=False)
    ice = models.BooleanField(_("ice"), default=False)
    wear_km_per_mm = models.PositiveIntegerField(_("wear mileage (km/mm)"), null=True, blank=True)
    categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("special categories"), blank=True, related_name="products"
    )
    gtin = models.CharField(_("GTIN"), max_length=14, unique=True, null=True, blank=True)
    test_report = models.CharField(_("test report"), max_length=120, blank=True)
    rr_class = models.CharField(_("rolling-resistance class"), max_length=1, blank=True)
    wet_class = models.CharField(_("wet-grip class"), max_length=1, blank=True)
    noise_class = models.CharField(_("noise class"), max_length=1, blank=True)
    high_end_rules = models.JSONField(_("high-end rules met"), default=list, blank=True)
    is_high_end = models.BooleanField(_("high-end"), default=False, db_index=True)
    high_end_gap = models.FloatField(
        _("distance from high-end (%)"),
        null=True,
        blank=True,
        help_text=_(
            "summed shortfalls of the nearest threshold, in per cent of its limits; 0 for high-end"
        ),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    #: What the public look-up may show; everything else stays within the enterprise's scope.
    PUBLIC_FIELDS = (
        "brand",
        "pattern",
        "size",
        "tyre_class",
        "load_index",
        "speed_symbol",
        "rolling_resistance",
        "wet_grip",
        "noise_db",
        "rr_class",
        "wet_class",
        "noise_class",
        "snow",
        "ice",
        "gtin",
    )

    class Meta:
        ordering = ["enterprise", "brand", "pattern", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "brand", "pattern", "size"], name="one_product_per_size"
            )
        ]
        verbose_name = _("tyre product")
        verbose_name_plural = _("tyre products")

    def __str__(self) -> str:
        return f"{self.brand} {self.pattern} {self.size}"


class ProductOutput(models.Model):
    """How many tyres of a product were made in a year (the weights of the T18 share by output)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="outputs")
    year = models.PositiveSmallIntegerField(_("year"))
    units = models.PositiveBigIntegerField(_("tyres made"))

    class Meta:
        ordering = ["product", "year"]
        constraints = [
            models.UniqueConstraint(fields=["product", "year"], name="one_output_per_year")
        ]
        verbose_name = _("product output")
        verbose_name_plural = _("product outputs")

    def __str__(self) -> str:
        return f"{self.product_id}/{self.year}: {self.units}"
