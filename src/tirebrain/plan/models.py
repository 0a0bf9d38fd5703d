"""Plan versions and their targets and tasks.

A plan file is loaded into a new ``PlanVersion`` only when its content differs from the newest
version; old versions are kept, so "what did the draft say in March" always has an answer. The
whole normalised document is kept (``data``) for diffs; targets and tasks are also rows so other
modules can refer to them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tirebrain.core.i18n import BilingualNameMixin


class PlanVersionQuerySet(models.QuerySet):
    def current(self, plan_code: str | None = None) -> PlanVersion | None:
        """The newest version (of the given plan): the one the cockpit measures against."""
        qs = self.filter(plan_code=plan_code) if plan_code else self
        return qs.order_by("-loaded_at", "-number").first()


class PlanVersion(BilingualNameMixin, models.Model):
    plan_code = models.SlugField(_("plan"), max_length=80)
    number = models.PositiveIntegerField(_("version"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    status = models.CharField(_("status"), max_length=30)
    content_sha256 = models.CharField(max_length=64)
    source_name = models.CharField(_("source file"), max_length=300)
    data = models.JSONField()
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan_code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan_code", "number"], name="unique_plan_version")
        ]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.plan_code} v{self.number}"

    @property
    def name_zh(self) -> str:
        return self.title_zh

    @property
    def name_en(self) -> str:
        return self.title_en

    @property
    def status_rule(self) -> dict:
        return self.data.get("status_rule", {})


class Target(BilingualNameMixin, models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField()
    area = models.CharField(_("area"), max_length=30)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    wording_zh = models.TextField(_("plan wording"), blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10)
    direction = models.CharField(_("direction"), max_length=10)
    comparison = models.CharField(_("comparison"), max_length=4)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    target_value = models.FloatField(_("target"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    indicator = models.JSONField(_("indicator"))
    spec = models.JSONField(help_text="The target's whole entry in the plan file.")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_target_per_version")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def text(self, lang_zh: bool) -> str:
        t = self.spec.get("target", {})
        return (t.get("text_zh") if lang_zh else t.get("text_en")) or ""


class Task(BilingualNameMixin, models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField()
    action_code = models.CharField(_("action"), max_length=10)
    action_name_zh = models.CharField(max_length=200)
    action_name_en = models.CharField(max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    lead = models.JSONField(_("lead departments"), default=list)
    departments = models.JSONField(_("co-operating departments"), default=list)
    spec = models.JSONField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_task_per_version")
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"
