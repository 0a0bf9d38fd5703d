"""Is a captured EPCIS 2.0 document (or single event) acceptable, and if not, what is wrong where.

Why: capture stores nothing from a document it has not checked whole, and a refusal has to name
the event (its index and eventID) and the field, so that the sender can fix it. Every captured
document goes through :func:`validate_document`, every ``POST /events`` body through
:func:`validate_event`; XML documents are converted to the same JSON-LD form first. Both return
a list of :class:`~tirebrain.trace.errors.EventError` (empty when all is well), never raise.

Two layers:

* the schema of the document's binding. A JSON document: the GS1 EPCIS 2.0 JSON Schema
  (``standard/EPCIS-JSON-Schema.json``, draft-07), compiled once with jsonschema_rs, the
  document checked as one instance; ``validate_event`` checks against the schema's
  ``EPCIS-Document-Event`` (the body the REST binding's ``POST /events`` takes). One change in
  memory: the ``vocab-other-uri`` pattern, which refuses anything under ``urn:epcglobal:cbv:``,
  is dropped, because CBV values still reach us as EPCIS 1.x URNs
  (``urn:epcglobal:cbv:bizstep:shipping``, as in GS1's own examples); the CBV rule below checks
  those fields value by value instead, more strictly (it refuses, say, ``…/BizStep-foo``, which
  the schema lets through as a user URI). An XML document (a
  :class:`~tirebrain.trace.xmlbinding.XmlDocument`) was checked against the EPCIS 2.0 XSD when
  it was read, and those findings are reported instead: the JSON Schema is stricter than the
  XML binding's own schema and would refuse official XML examples (see ``trace.xmlbinding``).
* the EPCIS 2.0 / CBV 2.0 rules the schema cannot state (``_RULES``): each a function of one
  event that appends ``(field, code, message)``; a new rule is one more function in that tuple.
  They run on every event but an XML event too broken to convert (``XmlDocument.unread``),
  whose XSD errors say what is wrong.

Where a rule and the schema both object to the same field (or a rule explains the schema's
catch-all ``anyOf`` over the whole event), only the rule's message is kept: it says what is
expected. An event without a usable ``type`` reports only that: the schema's branches for the
five types would otherwise each add their own noise.

Limits are parameters, not settings: ``max_events`` (a document-level ``too-many-events``
error, checked before anything else); ``max_future`` (how far ``eventTime`` may lie ahead of
``now``). Byte sizes are the endpoint's business.

Speed: the schema runs once over the whole document with ``is_valid`` (jsonschema_rs, in Rust);
errors are only collected from a document that fails. The rules are a few dictionary look-ups
per event. ``bench/epcis_validate.py`` measures both (whole-document validation was as fast as
event by event, so the document is validated whole).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import cache

import jsonschema_rs
from django.utils.translation import gettext

from tirebrain.trace.cbv import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    COMPONENT,
    DISPOSITION,
    ERROR_REASON,
    SOURCE_DESTINATION_TYPE,
    STANDARD_DIR,
    Vocabulary,
)
from tirebrain.trace.errors import EventError
from tirebrain.trace.xmlbinding import XmlDocument

#: How far ``eventTime`` may lie in the future. An event is what "occurred" (EPCIS 2.0
#: §7.4.1), so a future time is a wrong clock or a wrong offset. One hour passes any clock
#: drift a scanner or PLC should have, and still catches the mistake that matters here: a
#: Chinese local time sent as UTC lands eight hours ahead.
MAX_FUTURE = timedelta(hours=1)

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
ACTIONS = ("ADD", "OBSERVE", "DELETE")

Problem = tuple[str, str, str]  # (JSON pointer relative to the event, code, message)


def validate_document(
    doc: dict,
    *,
    max_events: int | None = None,
    now: datetime | None = None,
    max_future: timedelta = MAX_FUTURE,
) -> list[EventError]:
    """Every problem of an EPCISDocument, document-level ones first, then event by event."""
    problems = _document_problems(doc, max_events)
    if problems:
        return problems
    events = doc["epcisBody"]["eventList"]
    latest = (now or datetime.now(UTC)) + max_future
    unread = doc.unread if isinstance(doc, XmlDocument) else ()
    found = [
        _Checked() if index in unread else _rule_problems(event, latest)
        for index, event in enumerate(events)
    ]
    for index, problem in _schema_findings(doc):
        if index is None:
            problems.append(EventError(None, None, *problem))
        else:
            found[index].schema.append(problem)
    for index, (event, checked) in enumerate(zip(events, found, strict=True)):
        problems.extend(checked.errors(event, index))
    return problems


def validate_event(
    event: dict,
    index: int | None = None,
    *,
    now: datetime | None = None,
    max_future: timedelta = MAX_FUTURE,
) -> list[EventError]:
    """Every problem of one event (``POST /events``); ``index`` is copied into the errors."""
    if not isinstance(event, dict):
        message = gettext("An EPCIS event must be a JSON object.")
        return [EventError(index, None, "", "schema.type", message)]
    checked = _rule_problems(event, (now or datetime.now(UTC)) + max_future)
    _, validator = _validators()
    if not validator.is_valid(event):
        checked.schema.extend(p for _, p in _schema_problems(validator.iter_errors(event)))
    return checked.errors(event, index)


def _schema_findings(doc: dict) -> Iterable[tuple[int | None, Problem]]:
    """What the schema of the document's binding finds, as (event index or None, problem): the
    XSD's errors for an XML document (found when it was read), else the JSON Schema's."""
    if isinstance(doc, XmlDocument):
        return ((e.event_index, (e.field, e.code, e.message)) for e in doc.schema_errors)
    document, _ = _validators()
    if document.is_valid(doc):
        return ()
    return _schema_problems(document.iter_errors(doc), in_document=True)


@cache
def _validators() -> tuple[jsonschema_rs.Validator, jsonschema_rs.Validator]:
    """The document and the single-event validator, compiled on first use."""
    schema = json.loads((STANDARD_DIR / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    definitions = schema["definitions"]
    definitions["vocab-other-uri"] = {"type": "string", "format": "uri"}  # see module docstring
    event = {"$ref": "#/definitions/EPCIS-Document-Event", "definitions": definitions}
    return jsonschema_rs.Draft7Validator(schema), jsonschema_rs.Draft7Validator(event)


# -- the document ---------------------------------------------------------------------------


def _document_problems(doc: dict, max_events: int | None) -> list[EventError]:
    """What makes the document unreadable as a capture: checked before any event."""
    if not isinstance(doc, dict):
        message = gettext("An EPCIS document must be a JSON object.")
        return [EventError(None, None, "", "document.type", message)]
    problems = []
    kind = doc.get("type")
    if kind != "EPCISDocument":
        message = (
            gettext(
                "An EPCISQueryDocument is a query result; capture takes an EPCISDocument "
                "(“type”: “EPCISDocument”)."
            )
            if kind == "EPCISQueryDocument"
            else gettext("“type” must be “EPCISDocument” (found %(value)s).")
            % {"value": _shown(kind)}
        )
        problems.append(EventError(None, None, "/type", "document.type", message))
        if kind == "EPCISQueryDocument":
            return problems  # its events sit elsewhere; saying so is enough
    version = doc.get("schemaVersion")
    if isinstance(version, str) and version.split(".")[0] != "2":
        message = gettext(
            "This repository captures EPCIS 2.0 documents; “schemaVersion” %(value)s is not 2.0."
        ) % {"value": _shown(version)}
        problems.append(EventError(None, None, "/schemaVersion", "document.schemaVersion", message))
    body = doc.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        message = gettext("The document has no event list (“epcisBody”: {“eventList”: […]}).")
        problems.append(
            EventError(None, None, "/epcisBody/eventList", "document.eventList", message)
        )
    elif max_events is not None and len(events) > max_events:
        message = gettext(
            "The document holds %(count)d events; one capture takes at most %(limit)d. "
            "Send them in several documents."
        ) % {"count": len(events), "limit": max_events}
        problems.append(EventError(None, None, "/epcisBody/eventList", "too-many-events", message))
    return problems


# -- the rules ------------------------------------------------------------------------------


class _Checked:
    """One event's problems: those of the rules and those of the schema, merged on output."""

    __slots__ = ("rules", "schema")

    def __init__(self) -> None:
        self.rules: list[Problem] = []
        self.schema: list[Problem] = []

    def errors(self, event: dict, index: int | None) -> list[EventError]:
        if not self.rules and not self.schema:
            return []
        explained = {field for field, _, _ in self.rules}
        untyped = any(code == "epcis.type" for _, code, _ in self.rules)
        kept = [
            problem
            for problem in dict.fromkeys(self.schema)  # the schema repeats itself across branches
            if not untyped and problem[0] not in explained
        ]
        if len(self.rules) + len(kept) > 1:
            # The schema's anyOf over the whole event only repeats what is said more precisely.
            kept = [p for p in kept if not (p[0] == "" and p[1] == "schema.anyOf")]
        event_id = event.get("eventID") if isinstance(event, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        return [EventError(index, event_id, *problem) for problem in [*self.rules, *kept]]


def _rule_problems(event: object, latest: datetime) -> _Checked:
    checked = _Checked()
    if not isinstance(event, dict):
        return checked  # the schema says it is no object
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        _event_type(kind, checked.rules)
        return checked
    for rule in _RULES:
        rule(event, kind, latest, checked.rules)
    return checked


def _event_type(kind: object, out: list[Problem]) -> None:
    """EPCIS 2.0 §7.4: the five event types, or an extension type named by an absolute URI."""
    if isinstance(kind, str) and _ABSOLUTE_URI.match(kind):
        return
    if kind is None:
        message = gettext(
            "The event has no “type”; expected ObjectEvent, AggregationEvent, TransactionEvent, "
            "TransformationEvent or AssociationEvent."
        )
    else:
        message = gettext(
            "%(value)s is not an EPCIS event type; expected ObjectEvent, AggregationEvent, "
            "TransactionEvent, TransformationEvent, AssociationEvent or the URI of an extension "
            "event type."
        ) % {"value": _shown(kind)}
    out.append(("/type", "epcis.type", message))


_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


def _action(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """EPCIS 2.0 §7.4.2–§7.4.6: ``action`` is required in an Object-, Aggregation-,
    Transaction- and AssociationEvent, and a TransformationEvent has none (§7.4.5)."""
    action = event.get("action")
    if kind == "TransformationEvent":
        if "action" in event:
            message = gettext(
                "A TransformationEvent has no “action” (its inputs are consumed and its outputs "
                "created by definition); remove it."
            )
            out.append(("/action", "epcis.action", message))
    elif action is None:
        message = gettext("Every %(type)s needs an “action”: ADD, OBSERVE or DELETE.") % {
            "type": kind
        }
        out.append(("/action", "epcis.action", message))
    elif action not in ACTIONS:
        message = gettext(
            "%(value)s is not an action; expected ADD, OBSERVE or DELETE, in capitals."
        ) % {"value": _shown(action)}
        out.append(("/action", "epcis.action", message))


def _parent(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """EPCIS 2.0 §7.4.3 (AggregationEvent): parentID is optional only when action is OBSERVE.
    §7.4.6 (AssociationEvent): the GS1 JSON Schema requires parentID in every AssociationEvent."""
    if "parentID" in event:
        return
    if kind == "AggregationEvent" and event.get("action") in ("ADD", "DELETE"):
        message = gettext(
            "An AggregationEvent with action ADD or DELETE needs “parentID”, the container the "
            "children are packed into or taken out of (only OBSERVE may omit it)."
        )
        out.append(("/parentID", "epcis.parentID", message))
    elif kind == "AssociationEvent":
        message = gettext(
            "An AssociationEvent needs “parentID”, the object the children are associated with."
        )
        out.append(("/parentID", "epcis.parentID", message))


def _what(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """The objects an event is about (the "what" dimension, EPCIS 2.0 §7.4.2–§7.4.6), as the
    GS1 JSON Schema's ``anyOf`` over each event type states it, with a message per case."""
    action = event.get("action")
    if kind == "ObjectEvent":
        if action == "ADD" and not (_listed(event, "epcList") or _listed(event, "quantityList")):
            # §7.4.2: ADD means the objects named were commissioned; naming none says nothing.
            message = gettext(
                "An ObjectEvent with action ADD must name the objects it creates in “epcList” or "
                "“quantityList”."
            )
            out.append(("/epcList", "epcis.what", message))
        elif not (
            "epcList" in event
            or _listed(event, "quantityList")
            or (_listed(event, "sensorElementList") and "readPoint" in event)
        ):
            message = gettext(
                "An ObjectEvent names its objects in “epcList” or “quantityList” (a sensor-only "
                "observation instead reports “sensorElementList” with a “readPoint”)."
            )
            out.append(("/epcList", "epcis.what", message))
    elif kind in ("AggregationEvent", "AssociationEvent"):
        if action != "DELETE" and not (
            _listed(event, "childEPCs") or _listed(event, "childQuantityList")
        ):
            message = gettext(
                "With action ADD or OBSERVE, the children of this %(type)s must be listed in "
                "“childEPCs” or “childQuantityList” (only DELETE may omit them, meaning all "
                "children)."
            ) % {"type": kind}
            out.append(("/childEPCs", "epcis.what", message))
    elif kind == "TransactionEvent":
        if action != "DELETE" and not ("epcList" in event or _listed(event, "quantityList")):
            message = gettext(
                "A TransactionEvent with action ADD or OBSERVE must name the objects of the "
                "transaction in “epcList” or “quantityList”."
            )
            out.append(("/epcList", "epcis.what", message))
    elif kind == "TransformationEvent":
        inputs = _listed(event, "inputEPCList") or _listed(event, "inputQuantityList")
        outputs = _listed(event, "outputEPCList") or _listed(event, "outputQuantityList")
        if not ((inputs and outputs) or ("transformationID" in event and (inputs or outputs))):
            # §7.4.5: a transformation spread over several events links them by transformationID.
            message = gettext(
                "A TransformationEvent needs inputs (“inputEPCList” or “inputQuantityList”) and "
                "outputs (“outputEPCList” or “outputQuantityList”); with a “transformationID”, "
                "inputs or outputs are enough."
            )
            out.append(("/inputEPCList", "epcis.what", message))


def _listed(event: dict, name: str) -> bool:
    value = event.get(name)
    return isinstance(value, list) and len(value) > 0


def _ilmd(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """EPCIS 2.0 §7.4.2/§7.4.5: instance/lot master data describes objects being created, so
    ``ilmd`` belongs to an ObjectEvent with action ADD or to a TransformationEvent only."""
    if "ilmd" not in event or kind == "TransformationEvent":
        return
    if kind != "ObjectEvent" or event.get("action") != "ADD":
        message = gettext(
            "“ilmd” (instance/lot master data) is only allowed in an ObjectEvent with action ADD "
            "and in a TransformationEvent."
        )
        out.append(("/ilmd", "epcis.ilmd", message))


def _coded_values(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """CBV 2.0 code lists: each coded field holds a standard value in one of its spellings or a
    URI of the sender's own (see ``trace.cbv``)."""
    for field, value, vocabulary in _coded_fields(event):
        if isinstance(value, str):
            message = vocabulary.problem(value)
            if message is not None:
                out.append((field, "cbv." + vocabulary.name, message))


_TOP_CODED = (("bizStep", BIZ_STEP), ("disposition", DISPOSITION))
_NESTED_CODED = (
    "persistentDisposition",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "errorDeclaration",
    "sensorElementList",
)


def _coded_fields(event: dict) -> Iterable[tuple[str, object, Vocabulary]]:
    """Every (pointer, value, code list) of an event's coded fields."""
    for name, vocabulary in _TOP_CODED:
        value = event.get(name)
        if type(value) is str and value not in vocabulary.terms:  # most are bare words
            yield f"/{name}", value, vocabulary
    if not any(name in event for name in _NESTED_CODED):
        return
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for name in ("set", "unset"):
            for i, value in _items(persistent.get(name)):
                yield f"/persistentDisposition/{name}/{i}", value, DISPOSITION
    for name, vocabulary in (
        ("bizTransactionList", BIZ_TRANSACTION_TYPE),
        ("sourceList", SOURCE_DESTINATION_TYPE),
        ("destinationList", SOURCE_DESTINATION_TYPE),
    ):
        for i, item in _items(event.get(name)):
            if isinstance(item, dict) and "type" in item:
                yield f"/{name}/{i}/type", item["type"], vocabulary
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict) and "reason" in declaration:
        yield "/errorDeclaration/reason", declaration["reason"], ERROR_REASON
    for i, element in _items(event.get("sensorElementList")):
        if isinstance(element, dict):
            for j, report in _items(element.get("sensorReport")):
                if isinstance(report, dict) and "component" in report:
                    pointer = f"/sensorElementList/{i}/sensorReport/{j}/component"
                    yield pointer, report["component"], COMPONENT


def _items(value: object) -> Iterable[tuple[int, object]]:
    return enumerate(value) if isinstance(value, list) else ()


def _event_time(event: dict, kind: str, latest: datetime, out: list[Problem]) -> None:
    """``eventTime`` no later than ``MAX_FUTURE`` ahead of now (see there). A time the schema
    refuses as a date-time is left to the schema's message."""
    text = event.get("eventTime")
    if not isinstance(text, str):
        return
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return
    if moment.tzinfo is not None and moment > latest:
        message = gettext(
            "“eventTime” %(value)s lies in the future; an event can only be captured after it "
            "happened. Check the device clock and the UTC offset (a local time sent with “Z” "
            "is hours off)."
        ) % {"value": text}
        out.append(("/eventTime", "epcis.eventTime", message))


_RULES: tuple[Callable[[dict, str, datetime, list[Problem]], None], ...] = (
    _action,
    _parent,
    _what,
    _ilmd,
    _coded_values,
    _event_time,
)


# -- the schema's findings ------------------------------------------------------------------

_EVENT_LIST = ("epcisBody", "eventList")


def _schema_problems(
    errors: Iterable[jsonschema_rs.ValidationError], *, in_document: bool = False
) -> Iterable[tuple[int | None, Problem]]:
    """Each schema error as (event index or None, problem). In a document, an error inside
    ``epcisBody.eventList[i]`` belongs to event ``i`` with a pointer relative to it."""
    for error in errors:
        path = list(error.instance_path)
        index = None
        if in_document:
            if len(path) > 2 and tuple(path[:2]) == _EVENT_LIST and isinstance(path[2], int):
                index, path = path[2], path[3:]
            else:
                field, code, message = _schema_problem(error, path)
                yield None, (field, code, message)
                continue
        yield index, _schema_problem(error, path)


def _schema_problem(error: jsonschema_rs.ValidationError, path: list) -> Problem:
    kind = error.kind
    keyword = type(kind).__name__
    code = "schema." + keyword[0].lower() + keyword[1:]
    name = str(path[-1]) if path else ""
    value = _shown(error.instance)
    if keyword == "Required":
        path = [*path, kind.property]
        message = gettext("“%(name)s” is required here but missing.") % {"name": kind.property}
    elif keyword == "PropertyNames":
        extra = kind.error.instance
        path = [*path, extra]
        message = gettext(
            "“%(name)s” is not a field of this element. An extension field needs a namespace: a "
            "prefix declared in “@context” (example:myField) or a full URI."
        ) % {"name": extra}
    elif keyword == "AdditionalProperties":
        path = [*path, kind.unexpected[0]]
        message = gettext("“%(name)s” is not allowed in this element.") % {
            "name": kind.unexpected[0]
        }
    elif keyword == "Format":
        message = _format_message(kind.format, value)
    elif keyword == "Pattern":
        message = _PATTERN_MESSAGES.get(name, _PATTERN_MESSAGES[""])() % {"value": value}
    elif keyword == "Enum":
        options = ", ".join(str(option) for option in kind.options)
        message = gettext("%(value)s is not allowed here; expected one of: %(options)s.") % {
            "value": value,
            "options": options,
        }
    elif keyword == "Type":
        message = gettext("“%(name)s” has the wrong type; expected %(types)s.") % {
            "name": name or gettext("the event"),
            "types": " or ".join(kind.types),
        }
    elif keyword == "MinItems":
        message = gettext("“%(name)s” needs at least %(limit)s item(s).") % {
            "name": name,
            "limit": kind.limit,
        }
    elif keyword == "UniqueItems":
        message = gettext("“%(name)s” lists the same value more than once.") % {"name": name}
    elif keyword == "AnyOf" and not path:
        message = gettext("The event does not meet the EPCIS 2.0 rules of its event type.")
    else:
        message = gettext(
            "%(value)s is not valid here according to the EPCIS 2.0 JSON Schema (%(detail)s)."
        ) % {"value": value, "detail": error.message[:200]}
    return _pointer(path), code, message


def _format_message(format_name: str, value: str) -> str:
    if format_name == "date-time":
        return gettext(
            "%(value)s is not a date and time; expected ISO 8601 with seconds and a UTC offset, "
            "e.g. 2024-05-01T08:30:00.000+08:00."
        ) % {"value": value}
    if format_name == "uri":
        return gettext(
            "%(value)s is not an absolute URI; expected e.g. urn:epc:id:sgtin:6901234.012345.1001 "
            "or https://id.gs1.org/01/06901234123456/21/1001."
        ) % {"value": value}
    return gettext("%(value)s is not a valid %(format)s.") % {"value": value, "format": format_name}


_PATTERN_MESSAGES: dict[str, Callable[[], str]] = {
    "eventTimeZoneOffset": lambda: gettext(
        "%(value)s is not a UTC offset; expected ±hh:mm between -14:00 and +14:00, e.g. +08:00."
    ),
    "uom": lambda: gettext(
        "%(value)s is not a UN/ECE Recommendation 20 unit code (2–3 capital letters or digits, "
        "e.g. KGM)."
    ),
    "schemaVersion": lambda: gettext("%(value)s is not a version number such as 2.0."),
    "": lambda: gettext("%(value)s does not have the form this field requires."),
}


def _pointer(path: list) -> str:
    """RFC 6901 JSON pointer of a path (``~`` → ``~0``, ``/`` → ``~1`` inside a name)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _shown(value: object) -> str:
    """A value quoted for a message, shortened when long."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text if len(text) <= 80 else text[:77] + "…"
    return f"“{text}”"
