"""EPCIS 2.0 XML through ``POST /epcis/v2/capture``: the official examples are accepted and come
back as captured, documents that break the XSD or the CBV are refused naming event and field,
what is no capture document or is unsafe is answered 400 with nothing stored, and an XML example
is answered like its JSON twin."""

from __future__ import annotations

import json

import orjson
import pytest
from django.test import override_settings
from lxml import etree

from tests.trace.test_xmlbinding import (
    BILLION_LAUGHS,
    CAPTURE_DOCUMENTS,
    JSON,
    KNOWN_SCHEMA_ERRORS,
    NOT_CAPTURE_DOCUMENTS,
    PAIRS,
    XML,
    assert_same_events,
    document,
)
from tirebrain.trace.hashid import event_hash_id
from tirebrain.trace.models import CaptureJob, Event
from tirebrain.trace.xmlbinding import parse_xml_document

pytestmark = pytest.mark.django_db


def capture_xml(epcis, data: bytes, behaviour: str | None = None):
    """POST ``data`` as the provincial hub would, asking for English messages."""
    extra = {"Accept-Language": "en"} | (
        {"GS1-Capture-Error-Behaviour": behaviour} if behaviour else {}
    )
    return epcis.client.post(
        "/epcis/v2/capture",
        data,
        content_type="application/xml",
        **epcis.headers("province", **extra),
    )


def as_stored(doc: dict) -> list[dict]:
    """The document's events as the repository answers them but for the recordTime it sets:
    with the eventID it gives them (their own, or the CBV hash ID) and no recordTime."""
    return [
        {
            **{key: value for key, value in event.items() if key != "recordTime"},
            "eventID": event.get("eventID") or event_hash_id(event, doc["@context"]),
        }
        for event in doc["epcisBody"]["eventList"]
    ]


def stored(epcis) -> dict[str, dict]:
    """Every stored event as the query answers it, by eventID, without the recordTime the
    repository set."""
    answered = {event["eventID"]: event for event in epcis.events(role="province")}
    for event in answered.values():
        del event["recordTime"]
    return answered


def tyre_event(n: int, fields: str = "<action>OBSERVE</action>") -> str:
    """A tyre's ObjectEvent, one element a line; ``fields`` after its epcList."""
    return (
        "<ObjectEvent>\n"
        "<eventTime>2025-03-01T08:00:00.000+08:00</eventTime>\n"
        "<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>\n"
        f"<eventID>{event_id(n)}</eventID>\n"
        f"<epcList><epc>urn:epc:id:sgtin:0614141.812345.{n}</epc></epcList>\n"
        f"{fields}\n"
        "</ObjectEvent>"
    )


def event_id(n: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{n:012d}"


def alone(data: bytes, events: slice) -> bytes:
    """The XML document with only the events ``events`` selects."""
    root = etree.fromstring(data)
    event_list = root.find("EPCISBody/EventList")
    elements = [child for child in event_list if isinstance(child.tag, str)]
    for child in elements:
        if child not in elements[events]:
            event_list.remove(child)
    return etree.tostring(root)


def line_of(data: bytes, text: bytes) -> int:
    return data[: data.index(text)].count(b"\n") + 1


# ---------------------------------------------------------------------------------------------
# The official examples


@pytest.mark.parametrize("name", CAPTURE_DOCUMENTS)
def test_every_official_xml_capture_example_is_accepted_and_comes_back(epcis, name: str) -> None:
    data = (XML / name).read_bytes()
    job = epcis.job(capture_xml(epcis, data), role="province")
    assert job["success"], job["errors"]
    assert job["errors"] == []
    events = as_stored(parse_xml_document(data))
    # A re-sent event is stored once, as first sent; a repeat that declares an error adds its
    # declaration (AssociationEvent g declares one in d, and has d's hash ID).
    first: dict[str, dict] = {}
    for event in events:
        seen = first.setdefault(event["eventID"], event)
        if "errorDeclaration" in event and "errorDeclaration" not in seen:
            first[event["eventID"]] = {**seen, "errorDeclaration": event["errorDeclaration"]}
    assert (job["eventCount"], job["storedCount"]) == (len(events), len(first))
    assert stored(epcis) == first
    assert CaptureJob.objects.get().document_format == "xml"


def test_what_only_the_json_schema_refuses_is_captured_as_the_xml_says(epcis) -> None:
    """The three official examples the JSON Schema refuses once converted (KNOWN_SCHEMA_ERRORS)
    are valid by the XSD; GS1's ``Bizstep-`` spelling is the standard step."""
    for name in KNOWN_SCHEMA_ERRORS:
        epcis.job(capture_xml(epcis, (XML / name).read_bytes()), role="province")
    aggregations = epcis.events(eventType="AggregationEvent", EQ_bizStep="receiving|unpacking")
    assert sorted(json.dumps(e["persistentDisposition"], sort_keys=True) for e in aggregations) == [
        '{"set": ["completeness_inferred"]}',
        '{"set": ["completeness_verified"], "unset": ["completeness_inferred"]}',
    ]
    reports = [
        report
        for event in epcis.events(eventType="ObjectEvent")
        for element in event.get("sensorElementList", [])
        for report in element["sensorReport"]
    ]
    assert sum("type" not in report for report in reports) == 2  # case 9
    sensor_data = (XML / "WithSensorData/SensorDataExamples.xml").read_bytes()
    assert sensor_data.count(b"https://ref.gs1.org/cbv/Bizstep-sensor_reporting") == 2
    lower_case = {event["eventID"] for event in as_stored(parse_xml_document(sensor_data))[12:14]}
    reporting = epcis.events(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-sensor_reporting")
    assert lower_case <= {event["eventID"] for event in reporting}


# ---------------------------------------------------------------------------------------------
# Refusals inside a document: the event, its eventID and the field


def test_a_document_that_breaks_the_xsd_is_refused_naming_event_and_field(epcis) -> None:
    data = document(
        "\n".join(
            [
                tyre_event(1),
                tyre_event(2, "<action>ADD</action>\n<bizstep>shipping</bizstep>"),
                tyre_event(3),
            ]
        )
    )
    job = epcis.job(capture_xml(epcis, data), role="province")
    assert (job["success"], job["storedCount"], Event.objects.count()) == (False, 0, 0)
    (error,) = job["errors"]
    assert (error["event_index"], error["event_id"], error["field"], error["code"]) == (
        1,
        event_id(2),
        "/bizstep",
        "xsd.element_content",
    )
    assert error["message"].startswith(
        f"Line {line_of(data, b'<bizstep>')}, EPCIS 2.0 XML schema: Element 'bizstep': This "
        "element is not expected. Expected is one of ( bizStep,"
    )


def test_proceed_stores_the_events_the_xsd_accepts(epcis) -> None:
    bad = tyre_event(
        2,
        "<action>ADD</action>\n<quantityList><quantityElement><epcClass>"
        "urn:epc:class:lgtin:0614141.812345.L1</epcClass><quantity>1,5</quantity>"
        "</quantityElement></quantityList>",
    )
    data = document("\n".join([tyre_event(1), bad, tyre_event(3)]))
    job = epcis.job(capture_xml(epcis, data, behaviour="proceed"), role="province")
    assert [(e["event_index"], e["field"]) for e in job["errors"]] == [
        (1, "/quantityList/0/quantity")
    ]
    assert job["storedCount"] == 2
    assert set(stored(epcis)) == {event_id(1), event_id(3)}


def test_a_document_that_breaks_a_cbv_rule_is_refused_naming_event_and_field(epcis) -> None:
    data = document(
        "\n".join(
            [
                tyre_event(1),
                tyre_event(
                    2,
                    "<action>OBSERVE</action>\n<bizStep>urn:epcglobal:cbv:bizstep:"
                    "retreading</bizStep>",
                ),
            ]
        )
    )
    job = epcis.job(capture_xml(epcis, data), role="province")
    assert (job["success"], Event.objects.count()) == (False, 0)
    (error,) = job["errors"]
    assert (error["event_index"], error["event_id"], error["field"], error["code"]) == (
        1,
        event_id(2),
        "/bizStep",
        "cbv.bizStep",
    )
    assert "is not a CBV 2.0 business step" in error["message"]


def test_a_document_level_xsd_error_refuses_the_whole_document_even_under_proceed(epcis) -> None:
    data = document(tyre_event(1)).replace(b' schemaVersion="2.0"', b"")
    job = epcis.job(capture_xml(epcis, data, behaviour="proceed"), role="province")
    assert [(e["event_index"], e["field"]) for e in job["errors"]] == [(None, "/schemaVersion")]
    assert Event.objects.count() == 0


def test_an_xml_document_over_the_event_limit_is_refused_413_before_it_is_read(epcis) -> None:
    with override_settings(EPCIS_MAX_EVENTS=2):
        response = capture_xml(epcis, document("".join(tyre_event(n) for n in range(3))))
    assert response.status_code == 413
    assert (
        "it holds 3 events; one capture takes at most 2" in orjson.loads(response.content)["detail"]
    )
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


def test_a_list_longer_than_the_event_limit_is_refused_413_naming_it(epcis) -> None:
    """A long list of bad items would cost the XSD the square of its length (see
    xmlbinding._refuse_oversized)."""
    epcs = "".join(f"<epc>urn:epc:id:sgtin:0614141.812345.{n}</epc>" for n in range(11))
    data = document(tyre_event(1, f"<action>OBSERVE</action>\n<childEPCs>{epcs}</childEPCs>"))
    data = data.replace(b"<ObjectEvent>", b"<AggregationEvent>").replace(
        b"</ObjectEvent>", b"</AggregationEvent>"
    )
    with override_settings(EPCIS_MAX_EVENTS=10):
        response = capture_xml(epcis, data)
    assert response.status_code == 413
    detail = orjson.loads(response.content)["detail"]
    assert detail == (
        f"Line {line_of(data, b'<childEPCs>')}, <childEPCs>: this element holds more than 10 "
        "elements, more than one capture takes."
    )
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


# ---------------------------------------------------------------------------------------------
# Refusals of the whole body: 400, nothing recorded


@pytest.mark.parametrize("name", sorted(NOT_CAPTURE_DOCUMENTS))
def test_xml_that_is_no_capture_document_is_refused_400_with_the_reason(epcis, name) -> None:
    response = capture_xml(epcis, (XML / name).read_bytes())
    assert response.status_code == 400
    problem = orjson.loads(response.content)
    assert problem["title"] == "Not an EPCIS 2.0 XML document"
    reason = NOT_CAPTURE_DOCUMENTS[name][0]
    says = {
        "master_data_document": "this is an EPCIS master data document",
        "capture_job": "this is a capture job (the answer to a capture)",
    }[reason]
    assert says in problem["detail"]
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(BILLION_LAUGHS.encode(), id="billion-laughs"),
        pytest.param(
            b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + document(tyre_event(1, "<action>&x;</action>")).split(b"\n", 1)[1],
            id="external-entity",
        ),
    ],
)
def test_an_entity_bomb_or_external_entity_is_refused_400_and_nothing_stored(epcis, data) -> None:
    response = capture_xml(epcis, data)
    assert response.status_code == 400
    problem = orjson.loads(response.content)
    assert "a document type declaration that declares entities" in problem["detail"]
    assert b"root:" not in response.content and b"lollol" not in response.content
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


# ---------------------------------------------------------------------------------------------
# The XML examples and their JSON twins answer alike


@pytest.mark.parametrize(("xml_name", "events", "json_name", "known"), PAIRS)
def test_an_xml_example_is_answered_like_its_json_twin(
    epcis, xml_name: str, events: slice, json_name: str, known: dict[tuple, str]
) -> None:
    """Each captured alone (of the XML example, the pair's events only: AssociationEvent g
    declares an error in d, so it has d's hash ID and would count as d re-sent); where the pair
    agrees (test_xmlbinding's known differences set aside), the repository answers the same
    events."""
    data = alone((XML / xml_name).read_bytes(), events)
    xml = parse_xml_document(data)
    epcis.job(capture_xml(epcis, data), role="province")
    from_xml = stored(epcis)
    Event.objects.all().delete()
    twin = json.loads((JSON / json_name).read_text(encoding="utf-8"))
    epcis.job(epcis.capture(twin, role="province"), role="province")
    from_json = stored(epcis)
    ours, theirs = [], []
    for written, mine, their in zip(
        xml["epcisBody"]["eventList"], as_stored(xml), as_stored(twin), strict=True
    ):
        ours.append(from_xml[mine["eventID"]])
        theirs.append(from_json[their["eventID"]])
        if "eventID" not in written:  # then the XML's is a hash of its own content
            del ours[-1]["eventID"], theirs[-1]["eventID"]
    assert_same_events(ours, theirs, known)
