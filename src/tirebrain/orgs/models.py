"""Organisation hierarchy (province → city → enterprise; departments), clusters, the registry.

One table of organisations (DHIS2's organisation units) lets reported values, scopes and the
cockpit treat a city, a department and an enterprise alike; enterprise-only facts live in the
``Enterprise`` child table. Codes are natural keys: GB/T 2260 for divisions, the GB 32100 unified
social credit code for enterprises, ``dept-*`` for departments.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tirebrain.core.i18n import BilingualNameMixin


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")


class OrganisationQuerySet(models.QuerySet):
    def cities(self) -> OrganisationQuerySet:
        """The prefecture-level cities, in GB/T 2260 order."""
        return self.filter(kind=OrgKind.CITY).order_by("code")

    def departments(self) -> OrganisationQuerySet:
        return self.filter(kind=OrgKind.DEPARTMENT).order_by("code")


class Organisation(BilingualNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    short_zh = models.CharField(_("short name (Chinese)"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class Cluster(BilingualNameMixin, models.Model):
    """A named, editable group of cities (半岛, 鲁北): the plan says "mainly"/"at the core"."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    wording_zh = models.TextField(_("plan wording"), blank=True)
    cities = models.ManyToManyField(
        Organisation,
        verbose_name=_("cities"),
        related_name="clusters",
        limit_choices_to={"kind": OrgKind.CITY},
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name_zh


class ProductLine(BilingualNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["id"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.name_zh


class HonourType(BilingualNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    levels = models.JSONField(_("levels"), default=list)

    class Meta:
        ordering = ["id"]
        verbose_name = _("honour type")
        verbose_name_plural = _("honour types")

    def __str__(self) -> str:
        return self.name_zh


class EnterpriseQuerySet(models.QuerySet):
    def above_scale(self) -> EnterpriseQuerySet:
        """规上: annual revenue of 20 million CNY or more (the statistics office's threshold)."""
        return self.filter(above_scale=True)

    def in_city(self, city: Organisation) -> EnterpriseQuerySet:
        return self.filter(city=city)

    def search(self, text: str) -> EnterpriseQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name_zh__icontains=text)
            | models.Q(name_en__icontains=text)
            | models.Q(code__istartswith=text)
        )


class Enterprise(Organisation):
    """A tyre enterprise. ``code`` is its unified social credit code (GB 32100)."""

    city = models.ForeignKey(
        Organisation,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind": OrgKind.CITY},
    )
    above_scale = models.BooleanField(_("above-scale"), default=False, db_index=True)
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("product lines"), blank=True, related_name="enterprises"
    )
    capacity_tyres = models.BigIntegerField(
        _("design capacity (tyres/year)"), null=True, blank=True
    )
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    @property
    def credit_code(self) -> str:
        return self.code


class Honour(models.Model):
    """A recognition an enterprise holds (smart factory, 专精特新, …), at a level, from a year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="honours"
    )
    honour_type = models.ForeignKey(
        HonourType, verbose_name=_("honour"), on_delete=models.PROTECT, related_name="honours"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year awarded"))

    class Meta:
        ordering = ["enterprise", "year", "honour_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "honour_type", "level"], name="unique_honour_per_level"
            )
        ]
        indexes = [models.Index(fields=["honour_type", "level", "year"])]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")

    def __str__(self) -> str:
        return f"{self.honour_type} {self.get_level_display()} {self.year}"
