"""The EPCIS 2.0 SimpleEventQuery over the REST binding (``GET /epcis/v2/events``).

Parameters follow EPCIS 2.0 §8.2.7.1; list values are pipe-delimited (the binding's
``style: pipeDelimited``) or repeated. Pages are keyset pages: the ``nextPageToken`` is the
query itself plus the position after the last event returned, signed (so it cannot be forged to
step outside the caller's scope) and valid for an hour. Answers are EPCISQueryDocuments built by
splicing the stored event bodies into the envelope — no event is parsed and re-serialised, but
for the few that spell a CBV value as its EPCIS 1.x URN (see :func:`epcis_2_spelling`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tirebrain.trace.cbv import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    DISPOSITION,
    ERROR_REASON,
    SOURCE_DESTINATION_TYPE,
    Vocabulary,
)
from tirebrain.trace.epc import EpcError, match_key, pattern_prefixes
from tirebrain.trace.lifecycle import bare_cbv
from tirebrain.trace.models import EpcRole, Event, EventContext, EventEpc

STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
TOKEN_SALT = "tirebrain.trace.query.page"
TOKEN_MAX_AGE = 3600
DEFAULT_PER_PAGE = 30  # the binding's default

_EPCS = (EpcRole.EPC, EpcRole.CHILD)
_ANY_EPC = (EpcRole.EPC, EpcRole.CHILD, EpcRole.PARENT, EpcRole.INPUT, EpcRole.OUTPUT)
_CLASSES = (EpcRole.CLASS, EpcRole.CHILD_CLASS)
_ANY_CLASS = (*_CLASSES, EpcRole.INPUT_CLASS, EpcRole.OUTPUT_CLASS)

#: MATCH_ parameter → the roles it looks in (EPCIS 2.0 §8.2.7.1, table of SimpleEventQuery).
MATCH_ROLES: dict[str, tuple[int, ...]] = {
    "MATCH_epc": _EPCS,
    "MATCH_parentID": (EpcRole.PARENT,),
    "MATCH_inputEPC": (EpcRole.INPUT,),
    "MATCH_outputEPC": (EpcRole.OUTPUT,),
    "MATCH_anyEPC": _ANY_EPC,
    "MATCH_epcClass": _CLASSES,
    "MATCH_inputEPCClass": (EpcRole.INPUT_CLASS,),
    "MATCH_outputEPCClass": (EpcRole.OUTPUT_CLASS,),
    "MATCH_anyEPCClass": _ANY_CLASS,
}
#: EQ_ parameter → column (values compared exactly; CBV values in any of their spellings).
EQ_COLUMNS = {
    "eventType": "event_type",
    "EQ_action": "action",
    "EQ_bizStep": "biz_step",
    "EQ_disposition": "disposition",
    "EQ_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
    "EQ_eventID": "event_id",
}
TIME_BOUNDS = {
    "GE_eventTime": "event_time__gte",
    "LT_eventTime": "event_time__lt",
    "GE_recordTime": "record_time__gte",
    "LT_recordTime": "record_time__lt",
}
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}
CONTROL = {"perPage", "nextPageToken", "orderBy", "orderDirection"}
#: Up to this many events matched by one MATCH_ parameter are fetched by id (below SQLite's
#: 32,766 parameters a statement).
MATCH_LIST_LIMIT = 10_000


class QueryError(ValueError):
    """A query the repository cannot answer (EPCIS QueryParameterException): names the
    parameter and says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Page:
    body: bytes
    next_token: str | None


def parse(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """Split pipe-delimited values, refuse unknown parameters and empty values."""
    known = set(MATCH_ROLES) | set(EQ_COLUMNS) | set(TIME_BOUNDS) | CONTROL
    query: dict[str, list[str]] = {}
    for name, values in params.items():
        if name not in known:
            raise QueryError(name, _("not a query parameter this repository supports"))
        split = [v for value in values for v in value.split("|")]
        if name not in CONTROL and not all(split):
            raise QueryError(name, _("empty value"))
        query[name] = split
    return query


def _time(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(name, _("not a date and time (ISO 8601): %s") % value) from None
    if moment.tzinfo is None:
        raise QueryError(name, _("the time needs a time zone (Z or +08:00): %s") % value)
    return moment


def _key_condition(name: str, value: str) -> Q:
    try:
        prefixes = pattern_prefixes(value)
        if prefixes is None:
            return Q(key=match_key(value))
    except EpcError as exc:
        raise QueryError(name, str(exc)) from None
    condition = Q()
    for prefix in prefixes:
        condition |= key_prefix_q(prefix)
    return condition


def key_prefix_q(prefix: str) -> Q:
    """Identifiers starting with ``prefix``, in a form each database answers from its index:
    PostgreSQL's LIKE 'p%' uses the pattern-ops index; SQLite's LIKE uses no index, a range on
    its binary collation does."""
    if connection.vendor == "sqlite":
        return Q(key__gte=prefix, key__lt=prefix + "\U0010ffff")
    return Q(key__startswith=prefix)


def filtered(events: QuerySet[Event], query: dict[str, list[str]]) -> QuerySet[Event]:
    for name, values in query.items():
        if name in EQ_COLUMNS:
            column = EQ_COLUMNS[name]
            if column in ("biz_step", "disposition"):
                kind = "bizStep" if column == "biz_step" else "disposition"
                values = [bare_cbv(v, kind) for v in values]
            events = events.filter(**{f"{column}__in": values})
        elif name in TIME_BOUNDS:
            if len(values) != 1:
                raise QueryError(name, _("takes one value"))
            events = events.filter(**{TIME_BOUNDS[name]: _time(name, values[0])})
        elif name in MATCH_ROLES:
            condition = Q()
            for value in values:
                condition |= _key_condition(name, value)
                if name.endswith("Class"):
                    # classes are also written as patterns (urn:epc:idpat:sgtin:CP.IR.*) in
                    # quantity lists, stored as given
                    condition |= Q(key=value.strip())
            matching = EventEpc.objects.filter(condition, role__in=MATCH_ROLES[name]).values_list(
                "event_id", flat=True
            )
            found = list(matching[: MATCH_LIST_LIMIT + 1])
            # Few matches (a tyre, a product): hand the database the ids, so it fetches exactly
            # those. A subquery would leave the planner free to walk the whole ordered event
            # table probing each row — fine when matches are dense, a scan of millions of rows
            # when they cluster late in time (a product launched last year). Many matches: the
            # subquery, since the ordered walk then meets matches soon.
            if len(found) <= MATCH_LIST_LIMIT:
                events = events.filter(id__in=found)
            else:
                events = events.filter(id__in=matching)
    return events


def _order(query: dict[str, list[str]]) -> tuple[str, bool]:
    field = query.get("orderBy", ["recordTime"])[0]
    if field not in ORDER_FIELDS:
        raise QueryError("orderBy", _("eventTime or recordTime"))
    direction = query.get("orderDirection", ["ASC"])[0].upper()
    if direction not in ("ASC", "DESC"):
        raise QueryError("orderDirection", _("ASC or DESC"))
    return ORDER_FIELDS[field], direction == "DESC"


def per_page_of(values: list[str] | None) -> int:
    if not values:
        return DEFAULT_PER_PAGE
    try:
        n = int(values[0])
    except ValueError:
        raise QueryError("perPage", _("a whole number")) from None
    if n < 1:
        raise QueryError("perPage", _("at least 1"))
    return min(n, settings.EPCIS_MAX_PAGE)


def run(scope: QuerySet[Event], params: dict[str, list[str]], *, scope_key: str) -> Page:
    """One page of the query ``params`` over the events in ``scope``. ``scope_key`` names the
    caller's scope; a token made for one scope is refused in another."""
    token = (params.get("nextPageToken") or [None])[0]
    per_page = per_page_of(params.get("perPage"))
    after = None
    if token:
        try:
            saved = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            raise QueryError("nextPageToken", _("unknown or expired page token")) from None
        if saved["s"] != scope_key:
            raise QueryError("nextPageToken", _("unknown or expired page token"))
        query, after = saved["q"], saved["a"]
    else:
        query = parse({k: v for k, v in params.items() if k not in ("perPage", "nextPageToken")})
    field, descending = _order(query)
    events = filtered(scope, {k: v for k, v in query.items() if k not in CONTROL})
    if after is not None:
        moment, pk = datetime.fromisoformat(after[0]), after[1]
        op = "lt" if descending else "gt"
        events = events.filter(
            Q(**{f"{field}__{op}": moment}) | Q(**{field: moment, f"id__{op}": pk})
        )
    ordering = [f"-{field}", "-id"] if descending else [field, "id"]
    columns = ("id", field, "body", "context_id")
    rows = list(events.order_by(*ordering).values_list(*columns)[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_token = None
    if more:
        last = rows[-1]
        next_token = signing.dumps(
            {"q": query, "a": [last[1].isoformat(), last[0]], "s": scope_key},
            salt=TOKEN_SALT,
            compress=True,
        )
    body = query_document([r[2] for r in rows], [r[3] for r in rows])
    return Page(body=body, next_token=next_token)


def merged_context(context_ids: list[int | None]) -> list:
    """The standard context, then the documents' own: URLs once each, prefix maps merged."""
    urls: list[str] = []
    prefixes: dict = {}
    for body in EventContext.objects.filter(id__in={c for c in context_ids if c}).order_by("id"):
        for item in orjson.loads(body.body):
            if isinstance(item, dict):
                for k, v in item.items():
                    prefixes.setdefault(k, v)
            elif item not in urls:
                urls.append(item)
    return [STANDARD_CONTEXT, *urls, *([prefixes] if prefixes else [])]


_SPLICE = "__tirebrain_event_list__"
_CBV_URN = "urn:epcglobal:cbv:"


def _bare_urn(value, vocabulary: Vocabulary):
    if isinstance(value, str) and value.startswith(_CBV_URN):
        return vocabulary.bare(value) or value
    return value


def epcis_2_spelling(body: str) -> str:
    """A stored event body with every CBV standard value written as its EPCIS 1.x URN
    (``urn:epcglobal:cbv:bizstep:receiving``) turned into the bare word (``receiving``).

    Capture takes those URNs (GS1's own JSON examples use them; see ``trace.validation``) and
    stores the event as sent, but the EPCIS 2.0 JSON Schema refuses the ``urn:epcglobal:cbv:``
    namespace in its code-list fields, so an answer carrying them would not be a valid EPCIS 2.0
    document. The word and the URN are the same CBV value (its hash ID does not change). Bodies
    without the URN prefix — nearly all — are returned untouched, unparsed."""
    if _CBV_URN not in body:
        return body
    event = orjson.loads(body)
    for field, vocabulary in (("bizStep", BIZ_STEP), ("disposition", DISPOSITION)):
        if field in event:
            event[field] = _bare_urn(event[field], vocabulary)
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for key in ("set", "unset"):
            if isinstance(persistent.get(key), list):
                persistent[key] = [_bare_urn(v, DISPOSITION) for v in persistent[key]]
    for field, vocabulary in (
        ("bizTransactionList", BIZ_TRANSACTION_TYPE),
        ("sourceList", SOURCE_DESTINATION_TYPE),
        ("destinationList", SOURCE_DESTINATION_TYPE),
    ):
        for item in event.get(field) or ():
            if isinstance(item, dict) and "type" in item:
                item["type"] = _bare_urn(item["type"], vocabulary)
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict) and "reason" in declaration:
        declaration["reason"] = _bare_urn(declaration["reason"], ERROR_REASON)
    return orjson.dumps(event).decode()


def query_document(bodies: list[str], context_ids: list[int | None]) -> bytes:
    envelope = {
        "@context": merged_context(context_ids),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": _SPLICE},
            }
        },
    }
    head, tail = orjson.dumps(envelope).split(orjson.dumps(_SPLICE))
    events = ",".join(epcis_2_spelling(body) for body in bodies)
    return b"".join((head, b"[", events.encode(), b"]", tail))


def event_document(event: Event) -> bytes:
    """One event as a JSON-LD object with its context (``GET /events/{eventID}``)."""
    context = orjson.dumps(merged_context([event.context_id]))
    return b'{"@context":' + context + b"," + epcis_2_spelling(event.body).encode()[1:]
