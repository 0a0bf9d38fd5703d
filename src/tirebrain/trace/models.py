"""The EPCIS event repository: capture jobs, events, the EPCs each event names, locations.

Events are kept as captured (``body``: the event's JSON, what the query interface returns, plus
``recordTime`` and — when the sender left it out — the CBV hash ``eventID``) beside the columns
the standard query parameters filter on. The EPCs an event names live in ``EventEpc`` under a
*match key* (``trace.epc.match_key``: one canonical form for the URN, tag-URI, hex and Digital
Link spellings of the same SGTIN), so ``MATCH_epc`` and a tyre's life history are one index
range scan whatever the spelling, at 10^7–10^8 events.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_capture_id() -> str:
    return "c" + secrets.token_hex(12)


class CaptureBehaviour(models.TextChoices):
    ROLLBACK = "rollback", _("all or nothing (rollback)")
    PROCEED = "proceed", _("store the valid events (proceed)")


class CaptureJob(models.Model):
    """One POST to /epcis/v2/capture (or /events): who sent what, and how it ended."""

    capture_id = models.CharField(max_length=40, unique=True, default=new_capture_id)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    running = models.BooleanField(default=True)
    success = models.BooleanField(default=True)
    behaviour = models.CharField(
        max_length=10, choices=CaptureBehaviour.choices, default=CaptureBehaviour.ROLLBACK
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("captured by"), on_delete=models.PROTECT
    )
    document_format = models.CharField(max_length=10, default="json")
    event_count = models.PositiveIntegerField(default=0)
    stored_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")

    def __str__(self) -> str:
        return self.capture_id


class EventContext(models.Model):
    """A captured document's JSON-LD ``@context`` (deduplicated by digest), so that the
    namespace prefixes of user extensions come back with the events that use them."""

    digest = models.CharField(max_length=64, unique=True)
    body = models.TextField()

    def __str__(self) -> str:
        return self.digest[:12]


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(_("event ID"), max_length=512)
    event_type = models.CharField(_("event type"), max_length=32)
    event_time = models.DateTimeField(_("event time"))
    record_time = models.DateTimeField(_("record time"), db_index=True)
    action = models.CharField(max_length=8, blank=True)
    biz_step = models.CharField(_("business step"), max_length=255, blank=True)
    disposition = models.CharField(_("disposition"), max_length=255, blank=True)
    read_point = models.CharField(_("read point"), max_length=255, blank=True)
    biz_location = models.CharField(_("business location"), max_length=255, blank=True)
    # No database-level foreign keys on the event tables: every row would cost the database a
    # lookup per constraint during capture's COPY (the slowest part of capture). Capture writes
    # an event with its job, organisation, context and identifiers in one transaction, and
    # Django still applies on_delete, so the references hold.
    job = models.ForeignKey(
        CaptureJob, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("captured by"),
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    context = models.ForeignKey(
        EventContext, null=True, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    body = models.TextField()

    class Meta:
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")
        # A constraint rather than unique=True: on PostgreSQL Django adds a second, LIKE-capable
        # index to a unique CharField, which eventIDs never need and every capture would pay.
        constraints = [models.UniqueConstraint(fields=["event_id"], name="trace_event_id_unique")]
        indexes = [
            models.Index(fields=["event_time"], name="trace_event_time"),
            models.Index(fields=["biz_step", "event_time"], name="trace_event_bizstep"),
            models.Index(fields=["biz_location"], name="trace_event_bizloc"),
        ]

    def __str__(self) -> str:
        return self.event_id


class EpcRole(models.IntegerChoices):
    """Where in an event an identifier appears; the MATCH_* query parameters select by role."""

    EPC = 1, "epcList"
    PARENT = 2, "parentID"
    CHILD = 3, "childEPCs"
    INPUT = 4, "inputEPCList"
    OUTPUT = 5, "outputEPCList"
    CLASS = 6, "quantityList"
    CHILD_CLASS = 7, "childQuantityList"
    INPUT_CLASS = 8, "inputQuantityList"
    OUTPUT_CLASS = 9, "outputQuantityList"


class EventEpc(models.Model):
    """One identifier named by one event. The primary key (event, role, key) gives an event's
    identifiers; the ``key`` index (pattern ops on PostgreSQL, so that prefix matches of EPC
    patterns use it whatever the database collation) gives an identifier's events."""

    pk = models.CompositePrimaryKey("event", "role", "key")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    role = models.PositiveSmallIntegerField(choices=EpcRole.choices)
    key = models.CharField(max_length=512)

    class Meta:
        indexes = [
            models.Index(
                fields=["key", "event"],
                name="trace_epc_key",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.key}"


class LocationRole(models.TextChoices):
    FACTORY = "factory", _("tyre factory")
    DISTRIBUTOR = "distributor", _("distributor")
    RETAILER = "retailer", _("retailer and fitter")
    FLEET = "fleet", _("fleet operator")
    COLLECTOR = "collector", _("collection point")
    RETREADER = "retreader", _("retreader")
    RECYCLER = "recycler", _("recycler")


class Location(models.Model):
    """Master data for the places events happen (``readPoint``/``bizLocation``, usually SGLN):
    what it is, who runs it and in which city — what turns events into figures by city."""

    identifier = models.CharField(_("identifier (SGLN URI)"), max_length=255, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=LocationRole.choices)
    city = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="trace_locations_in",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trace_locations",
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name_zh


class StageCount(models.Model):
    """Tyres reaching a lifecycle stage, per city (of the location) and year: kept current by
    every capture so the recycling picture never scans the event table."""

    stage = models.CharField(max_length=40)
    #: GB/T 2260 code of the location's city; "" where the location is not in the master data.
    city_code = models.CharField(max_length=12, blank=True)
    year = models.PositiveSmallIntegerField()
    tyres = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "city_code", "year"], name="trace_stagecount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.city_code or '—'} {self.year}: {self.tyres}"
