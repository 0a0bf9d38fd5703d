"""Validation of captured EPCIS 2.0 documents and events: every official example passes; each
broken document is refused with errors naming the event, the field and what is expected."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tirebrain.trace import cbv
from tirebrain.trace.errors import CaptureRefused, EventError
from tirebrain.trace.validation import validate_document, validate_event
from tirebrain.trace.xmlbinding import parse_xml_document

pytestmark = pytest.mark.usefixtures("english")

GS1 = Path(__file__).parent / "gs1"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def _load(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


def _capture_documents() -> list[Path]:
    """The official JSON examples that are capture documents (EPCISDocument); the only other one,
    EPCISQueryDocument.jsonld, is a query result and is tested on its own below."""
    paths = sorted((GS1 / "JSON").rglob("*.json*"))
    return [p for p in paths if _load(p).get("type") == "EPCISDocument"]


@pytest.mark.parametrize(
    "path", _capture_documents(), ids=lambda p: str(p.relative_to(GS1 / "JSON"))
)
def test_every_official_example_document_is_valid(path: Path) -> None:
    doc = _load(path)
    assert validate_document(doc) == []
    for index, event in enumerate(doc["epcisBody"]["eventList"]):
        assert validate_event(event, index) == []


def test_all_official_json_examples_are_covered() -> None:
    """Only the query result document is left out of the test above."""
    assert len(_capture_documents()) == len(list((GS1 / "JSON").rglob("*.json*"))) - 1 > 40


def _git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_the_vendored_examples_are_all_of_gs1s_and_unchanged() -> None:
    """GS1's JSON/ and XML/ folders, every file and each byte for byte (gs1/SOURCE.md lists them
    with their Git blob hashes at the commit the schemas come from): a file dropped or edited
    here would silently shrink or change what the tests above accept."""
    listed = dict(
        reversed(line.split("  ", 1))
        for line in (GS1 / "SOURCE.md").read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r"[0-9a-f]{40}  \S+", line)
    )
    here = {
        str(p.relative_to(GS1)): _git_blob_sha1(p.read_bytes())
        for p in GS1.rglob("*")
        if p.is_file() and p.name != "SOURCE.md"
    }
    assert here == listed
    assert len(listed) == 94
    assert sum(name.endswith((".json", ".jsonld")) for name in listed) == 48
    assert sum(name.endswith(".xml") for name in listed) == 37


def test_a_query_document_is_refused_as_a_capture_but_its_events_are_valid() -> None:
    doc = _load(GS1 / "JSON/EPCISQueryDocument.jsonld")
    errors = validate_document(doc)
    assert [(e.event_index, e.field, e.code) for e in errors] == [(None, "/type", "document.type")]
    assert "EPCISQueryDocument is a query result" in errors[0].message
    for event in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]:
        assert validate_event(event) == []


def test_cbv_values_as_epcis_1_urns_are_accepted() -> None:
    """GS1's own example writes every CBV value as a URN (as documents converted from XML do)."""
    doc = _load(GS1 / "XML/WithEventHashID/event_with_identical_hash_id_7.json")
    assert doc["epcisBody"]["eventList"][0]["bizStep"] == "urn:epcglobal:cbv:bizstep:receiving"
    assert validate_document(doc) == []


# -- the code lists -------------------------------------------------------------------------

CODE_LISTS = {
    "bizStep": cbv.BIZ_STEP,
    "disposition": cbv.DISPOSITION,
    "bizTransaction-type": cbv.BIZ_TRANSACTION_TYPE,
    "source-dest-type": cbv.SOURCE_DESTINATION_TYPE,
    "error-reason": cbv.ERROR_REASON,
    "component": cbv.COMPONENT,
    "measurementType": cbv.MEASUREMENT_TYPE,
    "sensorAlertType": cbv.SENSOR_ALERT_TYPE,
}


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        (
            "Example-PersistentDisposition.xml",
            {(i, "/persistentDisposition") for i in (0, 1)},
        ),
        (
            "WithSensorData/SensorDataExamples.xml",
            {(8, f"/sensorElementList/0/sensorReport/{i}/type") for i in (0, 1)},
        ),
    ],
)
def test_an_xml_document_answers_to_the_xsd_not_to_the_json_schema(
    name: str, refused: set[tuple]
) -> None:
    """GS1's XML examples are valid by the XSD; converted, the JSON Schema would refuse these
    two (see trace.xmlbinding). As a plain dict the same content gets the JSON Schema."""
    doc = parse_xml_document((GS1 / "XML" / name).read_bytes())
    assert validate_document(doc) == []
    assert {(e.event_index, e.field) for e in validate_document(dict(doc))} == refused


def test_code_lists_read_from_the_context_are_the_json_schemas_enums() -> None:
    schema = _load(cbv.STANDARD_DIR / "EPCIS-JSON-Schema.json")["definitions"]
    for definition, vocabulary in CODE_LISTS.items():
        (enum,) = [branch["enum"] for branch in schema[definition]["anyOf"] if "enum" in branch]
        assert vocabulary.terms == frozenset(enum), definition
    assert len(cbv.BIZ_STEP.terms) == 41 and len(cbv.DISPOSITION.terms) == 33


@pytest.mark.parametrize("vocabulary", CODE_LISTS.values(), ids=CODE_LISTS.keys())
def test_every_spelling_of_a_standard_value_is_that_value(vocabulary: cbv.Vocabulary) -> None:
    for term in vocabulary.terms:
        for spelling in [*vocabulary.spellings(term), vocabulary.compact_prefix + term]:
            assert vocabulary.bare(spelling) == term
            assert vocabulary.problem(spelling) is None
            assert vocabulary.web_uri(spelling) == vocabulary.web_prefix + term
    assert vocabulary.bare("https://tirebrain.example.cn/vocab/x") is None
    assert vocabulary.problem("https://tirebrain.example.cn/vocab/x") is None


def test_the_web_uri_prefix_is_recognised_in_any_case_and_the_word_exactly() -> None:
    """See ``trace.cbv``: GS1's own example writes ``Bizstep-``; the URN and the compact IRI
    keep their exact prefixes (``CBV:`` is some other JSON-LD prefix)."""
    canonical = "https://ref.gs1.org/cbv/BizStep-shipping"
    for spelling in (
        "https://ref.gs1.org/cbv/Bizstep-shipping",
        "HTTPS://REF.GS1.ORG/CBV/BIZSTEP-shipping",
    ):
        assert cbv.BIZ_STEP.bare(spelling) == "shipping"
        assert cbv.BIZ_STEP.web_uri(spelling) == canonical
    assert cbv.MEASUREMENT_TYPE.bare("https://GS1.org/voc/Temperature") == "Temperature"
    for other in (
        "https://ref.gs1.org/cbv/BizStep-Shipping",
        "urn:epcglobal:cbv:BizStep:shipping",
        "CBV:BizStep-shipping",
    ):
        assert cbv.BIZ_STEP.bare(other) is None
        assert cbv.BIZ_STEP.web_uri(other) == other


# -- broken documents -------------------------------------------------------------------------


def _event(n: int, **fields: object) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-00000000000{n}",
        "eventTime": "2025-05-01T08:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:6901234.012345.{1000 + n}"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    }
    event.update(fields)
    return {k: v for k, v in event.items() if v is not None}


def _document(*events: dict) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-05-01T09:00:00.000Z",
        "epcisBody": {"eventList": list(events) or [_event(0), _event(1), _event(2)]},
    }


def _refusal(second_event: dict) -> list[tuple]:
    """The errors of a three-event document whose middle event is ``second_event``."""
    errors = validate_document(_document(_event(0), second_event, _event(2)), now=NOW)
    return [(e.event_index, e.event_id, e.field, e.code) for e in errors]


ID1 = "urn:uuid:00000000-0000-4000-8000-000000000001"


def test_a_valid_document_has_no_errors() -> None:
    assert validate_document(_document(), now=NOW) == []


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"eventTime": None}, "/eventTime", "schema.required"),
        ({"eventTime": "2025-13-01T08:30:00+08:00"}, "/eventTime", "schema.format"),
        ({"eventTime": "2025-05-01 08:30"}, "/eventTime", "schema.format"),
        ({"eventTimeZoneOffset": "+8:00"}, "/eventTimeZoneOffset", "schema.pattern"),
        ({"bizStep": "Shipping"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "urn:epcglobal:cbv:bizstep:shiping"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "https://ref.gs1.org/cbv/BizStep-foo"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "https://ref.gs1.org/cbv/Bizstep-foo"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "HTTPS://REF.GS1.ORG/CBV/BizStep-foo"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "https://ref.gs1.org/cbv/BizStep-Shipping"}, "/bizStep", "cbv.bizStep"),
        ({"bizStep": "urn:epcglobal:cbv:disp:in_transit"}, "/bizStep", "cbv.bizStep"),
        ({"disposition": "sold"}, "/disposition", "cbv.disposition"),
        ({"action": "add"}, "/action", "epcis.action"),
        ({"action": None}, "/action", "epcis.action"),
        ({"type": None}, "/type", "epcis.type"),
        ({"type": "ObjectEvnt"}, "/type", "epcis.type"),
        ({"ilmd": {"example:lot": "L1"}}, "/ilmd", "epcis.ilmd"),
        ({"foo": 1}, "/foo", "schema.propertyNames"),
        ({"a/b~c": 1}, "/a~1b~0c", "schema.propertyNames"),
        ({"readPoint": {"id": "not a uri"}}, "/readPoint/id", "schema.format"),
        ({"epcList": ["urn:epc:id:sgtin:6901234.012345.1", 7]}, "/epcList/1", "schema.type"),
        ({"eventTime": "2025-06-01T10:00:00+08:00"}, "/eventTime", "epcis.eventTime"),
        ({"action": "ADD", "epcList": []}, "/epcList", "epcis.what"),
        ({"epcList": None}, "/epcList", "epcis.what"),
        (
            {"bizTransactionList": [{"type": "purchase_order", "bizTransaction": "urn:x:po:1"}]},
            "/bizTransactionList/0/type",
            "cbv.bizTransactionType",
        ),
        (
            {"sourceList": [{"type": "owner", "source": "urn:epc:id:pgln:6901234.00000"}]},
            "/sourceList/0/type",
            "cbv.sourceDestType",
        ),
        (
            {"persistentDisposition": {"set": ["recalled", "urn:epcglobal:cbv:disp:recal"]}},
            "/persistentDisposition/set/1",
            "cbv.disposition",
        ),
        (
            {"errorDeclaration": {"declarationTime": "2025-05-02T00:00:00Z", "reason": "wrong"}},
            "/errorDeclaration/reason",
            "cbv.errorReason",
        ),
        (
            {
                "sensorElementList": [
                    {"sensorReport": [{"type": "Speed"}, {"type": "Angle", "component": "lat"}]}
                ]
            },
            "/sensorElementList/0/sensorReport/1/component",
            "cbv.component",
        ),
    ],
)
def test_a_broken_event_is_refused_naming_event_and_field(
    fields: dict, field: str, code: str
) -> None:
    assert _refusal(_event(1, **fields)) == [(1, ID1, field, code)]


@pytest.mark.parametrize(
    "fields",
    [
        {"bizStep": "urn:epcglobal:cbv:bizstep:shipping"},
        {"bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"},
        {"bizStep": "cbv:BizStep-shipping"},
        {"bizStep": "https://ref.gs1.org/cbv/Bizstep-shipping"},  # as GS1's sensor example 14
        {"bizStep": "CBV:BizStep-shipping"},  # another prefix, for the schema's uri format
        {"bizStep": "https://tirebrain.example.cn/bizstep/retreading"},
        {"disposition": "urn:epcglobal:cbv:disp:in_transit"},
        {"action": "ADD", "ilmd": {"https://tirebrain.example.cn/epcis/size": "205/55R16 91V"}},
        {"eventTime": "2025-06-01T08:30:00+08:00"},  # half an hour ahead: within MAX_FUTURE
        {"epcList": [], "sensorElementList": [{"sensorReport": [{"type": "Pressure"}]}]},
        {"type": "https://tirebrain.example.cn/epcis/RetreadEvent"},
    ],
)
def test_what_the_standard_allows_passes(fields: dict) -> None:
    assert _refusal(_event(1, **fields)) == []


def test_the_messages_say_what_is_wrong_and_what_is_expected() -> None:
    def message(**fields: object) -> str:
        (error,) = validate_document(_document(_event(1, **fields)), now=NOW)
        return error.message

    assert message(eventTime=None) == "“eventTime” is required here but missing."
    assert "expected ADD, OBSERVE or DELETE" in message(action="add")
    assert "e.g. +08:00" in message(eventTimeZoneOffset="+8:00")
    assert "ISO 8601" in message(eventTime="yesterday")
    bad_step = message(bizStep="Shipping")
    assert "“Shipping” is neither a CBV 2.0 business step" in bad_step
    assert "https://ref.gs1.org/cbv/BizStep-shipping" in bad_step
    assert "lies in the future" in message(eventTime="2025-06-02T00:00:00Z")


def test_errors_come_in_event_order_with_each_events_id() -> None:
    doc = _document(_event(0), _event(1, bizStep="Shipping"), _event(2), _event(3, action="add"))
    doc["epcisBody"]["eventList"][3].pop("eventID")
    errors = validate_document(doc, now=NOW)
    assert [(e.event_index, e.event_id, e.field) for e in errors] == [
        (1, ID1, "/bizStep"),
        (3, None, "/action"),
    ]


def test_an_event_without_type_reports_only_that() -> None:
    errors = validate_document(_document(_event(0, type=None)), now=NOW)
    assert [(e.field, e.code) for e in errors] == [("/type", "epcis.type")]


def test_transformation_event_rules() -> None:
    base = {
        "type": "TransformationEvent",
        "epcList": None,
        "action": None,
        "inputEPCList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "outputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:6977777.000012.CR1", "quantity": 18.4, "uom": "KGM"}
        ],
    }
    assert _refusal(_event(1, **base)) == []
    with_action = {**base, "action": "ADD"}
    assert _refusal(_event(1, **with_action)) == [(1, ID1, "/action", "epcis.action")]
    only_inputs = {**base, "outputQuantityList": None}
    assert _refusal(_event(1, **only_inputs)) == [(1, ID1, "/inputEPCList", "epcis.what")]
    linked = {**only_inputs, "transformationID": "urn:epc:id:gdti:6977777.00001.T1"}
    assert _refusal(_event(1, **linked)) == []


@pytest.mark.parametrize("kind", ["AggregationEvent", "AssociationEvent"])
def test_aggregation_and_association_rules(kind: str) -> None:
    pallet = "urn:epc:id:sscc:6901234.0000000123"
    children = {"type": kind, "epcList": None, "childEPCs": ["urn:epc:id:sgtin:6901234.012345.1"]}
    assert _refusal(_event(1, **children, action="ADD", parentID=pallet)) == []
    assert _refusal(_event(1, **children, action="ADD")) == [
        (1, ID1, "/parentID", "epcis.parentID")
    ]
    assert _refusal(_event(1, **children, action="DELETE")) == [
        (1, ID1, "/parentID", "epcis.parentID")
    ]
    # all children taken out: DELETE may omit them
    no_children = {**children, "childEPCs": None}
    assert _refusal(_event(1, **no_children, action="DELETE", parentID=pallet)) == []
    assert _refusal(_event(1, **no_children, action="ADD", parentID=pallet)) == [
        (1, ID1, "/childEPCs", "epcis.what")
    ]
    observed = _refusal(_event(1, **children))
    expected = [] if kind == "AggregationEvent" else [(1, ID1, "/parentID", "epcis.parentID")]
    assert observed == expected


def test_transaction_event_needs_a_business_transaction() -> None:
    errors = _refusal(_event(1, type="TransactionEvent"))
    assert errors == [(1, ID1, "/bizTransactionList", "schema.required")]
    transaction = [{"type": "inv", "bizTransaction": "https://erp.example.cn/inv/1"}]
    assert _refusal(_event(1, type="TransactionEvent", bizTransactionList=transaction)) == []


def test_the_future_is_measured_from_now_with_a_tolerance() -> None:
    doc = _document(_event(0, eventTime="2025-06-01T01:30:00Z"))
    assert validate_document(doc, now=NOW) != []
    assert validate_document(doc, now=NOW, max_future=timedelta(hours=2)) == []
    assert validate_document(doc, now=NOW + timedelta(hours=1)) == []


# -- the document -----------------------------------------------------------------------------


def _document_errors(doc: dict, **limits: object) -> list[tuple]:
    return [(e.event_index, e.field, e.code) for e in validate_document(doc, now=NOW, **limits)]


def test_too_many_events_is_refused_before_any_event_is_read() -> None:
    doc = _document(_event(0), _event(1, bizStep="Shipping"), _event(2))
    assert _document_errors(doc, max_events=2) == [
        (None, "/epcisBody/eventList", "too-many-events")
    ]
    (error,) = validate_document(doc, max_events=2)
    assert "holds 3 events" in error.message and "at most 2" in error.message
    assert _document_errors(doc, max_events=3) == [(1, "/bizStep", "cbv.bizStep")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"type": "EPCISDoc"}, [(None, "/type", "document.type")]),
        ({"schemaVersion": "1.2"}, [(None, "/schemaVersion", "document.schemaVersion")]),
        ({"epcisBody": {}}, [(None, "/epcisBody/eventList", "document.eventList")]),
        ({"creationDate": "today"}, [(None, "/creationDate", "schema.format")]),
        ({"@context": None}, [(None, "/@context", "schema.required")]),
    ],
)
def test_document_level_problems(change: dict, expected: list) -> None:
    doc = {**_document(), **change}
    assert _document_errors({k: v for k, v in doc.items() if v is not None}) == expected


def test_not_an_object() -> None:
    assert [e.code for e in validate_document([])] == ["document.type"]
    assert [e.code for e in validate_event("ObjectEvent")] == ["schema.type"]
    doc = _document(_event(0), "ObjectEvent")
    assert _document_errors(doc) == [(1, "", "schema.type")]


# -- a single event (POST /events) ------------------------------------------------------------


def test_a_single_event_needs_no_context_and_keeps_the_given_index() -> None:
    assert validate_event(_event(0), now=NOW) == []
    (error,) = validate_event(_event(0, bizStep="Shipping"), now=NOW)
    assert (error.event_index, error.event_id, error.field) == (
        None,
        _event(0)["eventID"],
        "/bizStep",
    )
    (error,) = validate_event(_event(0, bizStep="Shipping"), 7, now=NOW)
    assert error.event_index == 7


def test_event_errors_as_dict_and_capture_refused() -> None:
    error = EventError(2, "urn:uuid:x", "/bizStep", "cbv.bizStep", "wrong")
    assert error.as_dict() == {
        "event_index": 2,
        "event_id": "urn:uuid:x",
        "field": "/bizStep",
        "code": "cbv.bizStep",
        "message": "wrong",
    }
    refused = CaptureRefused([error, error])
    assert refused.errors == [error, error]
    assert str(refused) == "The capture was refused (2 errors); the first: wrong"
    with pytest.raises(CaptureRefused) as caught:
        raise CaptureRefused(copy.copy([error]))
    assert str(caught.value) == "The capture was refused (1 error): wrong"
