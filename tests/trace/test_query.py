"""The EPCIS 2.0 query interface: round trips, every supported parameter, paging, scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import jsonschema_rs
import orjson
import pytest
from django.urls import reverse

from tests.trace.conftest import GS1, gs1_json_documents
from tests.trace.documents import FACTORY, RETAILER, document, object_event, sgtin
from tirebrain.trace import capture
from tirebrain.trace.hashid import event_hash_id
from tirebrain.trace.models import Event

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parents[2] / "src/tirebrain/trace/standard/EPCIS-JSON-Schema.json"
VALIDATOR = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))


def ids(events: list[dict]) -> list[str]:
    return [e["eventID"] for e in events]


#: The fields of an event that hold CBV code-list values (bizTransactionList/sourceList/
#: destinationList "type", persistentDisposition "set"/"unset", errorDeclaration "reason").
CODE_LIST_FIELDS = {"bizStep", "disposition", "type", "set", "unset", "reason"}


def in_epcis_2_words(value, field: str | None = None):
    """``value`` with each CBV value written as its EPCIS 1.x URN (``urn:epcglobal:cbv:bizstep:
    receiving``) as the bare word the EPCIS 2.0 JSON binding writes (``receiving``): the same
    value, the spelling the JSON Schema accepts in an answer."""
    if isinstance(value, dict):
        return {key: in_epcis_2_words(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [in_epcis_2_words(item, field) for item in value]
    urn = isinstance(value, str) and value.startswith("urn:epcglobal:cbv:")
    return value.rsplit(":", 1)[1] if urn and field in CODE_LIST_FIELDS else value


@pytest.mark.parametrize("path", gs1_json_documents(), ids=lambda p: p.name)
def test_what_was_captured_comes_back_equal(epcis, path):
    doc = orjson.loads(path.read_bytes())
    epcis.job(epcis.capture(doc, role="province"), role="province")
    response = epcis.query("province", perPage="1000")
    answer = orjson.loads(response.content)
    assert VALIDATOR.is_valid(answer), list(VALIDATOR.iter_errors(answer))[:3]
    returned = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    sent = doc["epcisBody"]["eventList"]
    assert len(returned) == len(sent)
    for original, back in zip(sent, returned, strict=True):
        back, original = dict(back), dict(original)
        # recordTime is the repository's to set; a sender's value is ignored (EPCIS 2.0 §7.4.1)
        assert back.pop("recordTime") != original.pop("recordTime", None)
        if "eventID" not in original:
            assert back.pop("eventID") == event_hash_id(original, doc["@context"])
        assert back == in_epcis_2_words(original)
    # the document's own namespace prefixes come back with its events
    own = (
        [c for c in doc["@context"] if isinstance(c, dict)]
        if isinstance(doc["@context"], list)
        else []
    )
    for prefixes in own:
        merged = {k: v for c in answer["@context"] if isinstance(c, dict) for k, v in c.items()}
        assert prefixes.items() <= merged.items()


@pytest.mark.parametrize("path", gs1_json_documents(), ids=lambda p: p.name)
def test_each_captured_event_comes_back_alone_by_its_id(epcis, path):
    """GET /events/{eventID} (the Location a single capture answers with) for every event of
    every example: the event as captured, with the document's context."""
    doc = orjson.loads(path.read_bytes())
    epcis.job(epcis.capture(doc, role="province"), role="province")
    for original in doc["epcisBody"]["eventList"]:
        event_id = original.get("eventID") or event_hash_id(original, doc["@context"])
        response = epcis.client.get(
            reverse("trace:event", args=[event_id]), **epcis.headers("province")
        )
        assert response.status_code == 200, event_id
        back = orjson.loads(response.content)
        context = back.pop("@context")
        assert context[0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
        back.pop("recordTime")
        original.pop("recordTime", None)  # the repository sets its own (EPCIS 2.0 §7.4.1)
        assert back == in_epcis_2_words({**original, "eventID": event_id})


def test_cbv_urns_are_answered_as_the_epcis_2_words(epcis):
    """GS1's JSON example 7 writes every CBV value as a URN, which capture takes (the JSON
    Schema refuses them; see trace.validation): the answers, list and single, name the same
    values in the EPCIS 2.0 spelling and are valid by the schema; what the URNs do not name (a
    business transaction's own identifier) is left alone."""
    doc = orjson.loads(
        (GS1 / "XML/WithEventHashID/event_with_identical_hash_id_7.json").read_bytes()
    )
    epcis.job(epcis.capture(doc, role="province"), role="province")
    answer = orjson.loads(epcis.query("province").content)
    assert VALIDATOR.is_valid(answer), list(VALIDATOR.iter_errors(answer))[:3]
    (event,) = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert (event["bizStep"], event["disposition"]) == ("receiving", "in_progress")
    assert event["bizTransactionList"] == [
        {"type": "po", "bizTransaction": "urn:epc:id:gdti:0614141.00001.1618034"}
    ]
    parties = ["location", "possessing_party", "owning_party"]
    assert [source["type"] for source in event["sourceList"]] == parties
    assert [destination["type"] for destination in event["destinationList"]] == parties
    assert event["persistentDisposition"] == {
        "unset": ["completeness_inferred"],
        "set": ["completeness_verified"],
    }
    alone = epcis.client.get(
        reverse("trace:event", args=[event["eventID"]]), **epcis.headers("province")
    )
    assert orjson.loads(alone.content) | {"@context": None} == event | {"@context": None}
    assert epcis.events(EQ_bizStep="urn:epcglobal:cbv:bizstep:receiving") == [event]
    (stored,) = Event.objects.values_list("body", flat=True)
    assert orjson.loads(stored)["bizStep"] == "urn:epcglobal:cbv:bizstep:receiving"  # as sent


def test_the_query_document_examples_events_come_back_equal(epcis):
    """GS1's EPCISQueryDocument example is no capture document (refused naming /type), but its
    events, captured in one, are answered as the example answers them."""
    example = orjson.loads((GS1 / "JSON/EPCISQueryDocument.jsonld").read_bytes())
    job = epcis.job(epcis.capture(example, role="province"), role="province")
    assert (job["success"], Event.objects.count()) == (False, 0)
    assert [(e["event_index"], e["field"], e["code"]) for e in job["errors"]] == [
        (None, "/type", "document.type")
    ]
    sent = example["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    capture_doc = {
        **{k: v for k, v in example.items() if k != "epcisBody"},
        "type": "EPCISDocument",
        "epcisBody": {"eventList": sent},
    }
    assert epcis.job(epcis.capture(capture_doc, role="province"), role="province")["success"]
    answer = orjson.loads(epcis.query("province").content)
    assert VALIDATOR.is_valid(answer)
    assert answer["@context"] == example["@context"]
    returned = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [{k: v for k, v in e.items() if k != "recordTime"} for e in returned] == sent


@pytest.fixture
def history(epcis):
    """Five events about three tyres, with known times, steps, places and actions."""
    events = [
        object_event(1, epcs=[sgtin(1), sgtin(2)], time="2025-01-10T08:00:00+08:00"),
        object_event(
            2,
            epcs=[sgtin(1)],
            time="2025-02-10T08:00:00+08:00",
            biz_step="urn:epcglobal:cbv:bizstep:shipping",
            disposition="in_transit",
            action="OBSERVE",
        ),
        object_event(
            3,
            epcs=[sgtin(2)],
            time="2025-03-10T08:00:00+08:00",
            biz_step="https://ref.gs1.org/cbv/BizStep-retail_selling",
            disposition="retail_sold",
            action="OBSERVE",
            location=RETAILER,
        ),
        object_event(
            4, epcs=[sgtin(3, item="812346")], time="2025-04-10T08:00:00+08:00", action="ADD"
        ),
        {
            "type": "AggregationEvent",
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000005",
            "eventTime": "2025-05-10T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "parentID": "urn:epc:id:sscc:0614141.1234567890",
            "childEPCs": [sgtin(1)],
            "action": "ADD",
            "bizStep": "packing",
            "readPoint": {"id": FACTORY},
        },
    ]
    epcis.job(epcis.capture(document(*events)))
    return [e["eventID"] for e in events]


E = "urn:uuid:00000000-0000-4000-8000-00000000000"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"eventType": "AggregationEvent"}, [5]),
        ({"eventType": "ObjectEvent|AggregationEvent"}, [1, 2, 3, 4, 5]),
        ({"GE_eventTime": "2025-03-10T08:00:00+08:00"}, [3, 4, 5]),
        ({"LT_eventTime": "2025-03-10T00:00:00Z"}, [1, 2]),
        ({"GE_eventTime": "2025-02-01T00:00:00Z", "LT_eventTime": "2025-04-01T00:00:00Z"}, [2, 3]),
        ({"EQ_bizStep": "shipping"}, [2]),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}, [2]),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:retail_selling|packing"}, [3, 5]),
        ({"EQ_disposition": "in_transit"}, [2]),
        ({"EQ_readPoint": RETAILER}, [3]),
        ({"EQ_bizLocation": FACTORY}, [1, 2, 4]),
        ({"EQ_action": "OBSERVE"}, [2, 3]),
        ({"EQ_eventID": f"{E}4|{E}1"}, [1, 4]),
        ({"MATCH_epc": sgtin(1)}, [1, 2, 5]),
        ({"MATCH_epc": "https://id.gs1.org/01/80614141123458/21/2"}, [1, 3]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.812345.*"}, [1, 2, 3, 5]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.*.*"}, [1, 2, 3, 4, 5]),
        ({"MATCH_parentID": "urn:epc:id:sscc:0614141.1234567890"}, [5]),
        ({"MATCH_anyEPC": "urn:epc:id:sscc:0614141.1234567890"}, [5]),
        ({"MATCH_anyEPC": sgtin(1)}, [1, 2, 5]),
        ({"MATCH_anyEPC": "https://id.gs1.org/01/80614141123458/21/2"}, [1, 3]),
        # the EPC Pattern URIs of TDS §8 (EPCIS 2.0 §8.2.7.1: MATCH_ values may be patterns)
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812345.*"}, [1, 2, 3, 5]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812346.*"}, [4]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.*.*"}, [1, 2, 3, 4, 5]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:*.*.*"}, [1, 2, 3, 4, 5]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614142.*.*"}, []),
        ({"MATCH_anyEPC": "urn:epc:idpat:sscc:0614141.*"}, [5]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sscc:*.*"}, [5]),
        (
            {"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812346.*|urn:epc:idpat:sscc:0614141.*"},
            [4, 5],
        ),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812345.2"}, [1, 3]),
        ({"MATCH_epc": "urn:epc:idpat:sscc:0614141.*"}, []),  # a parentID is not an epc
        ({"MATCH_parentID": "urn:epc:idpat:sscc:0614141.*"}, [5]),
        ({"MATCH_parentID": "urn:epc:idpat:sgtin:0614141.*.*"}, []),
        ({"MATCH_epc": sgtin(99)}, []),
        # several parameters: all must hold
        ({"MATCH_anyEPC": sgtin(1), "eventType": "ObjectEvent"}, [1, 2]),
        ({"MATCH_epc": sgtin(2), "EQ_bizLocation": RETAILER, "EQ_disposition": "retail_sold"}, [3]),
    ],
)
def test_each_query_parameter(epcis, history, params, expected):
    assert ids(epcis.events(**params)) == [f"{E}{n}" for n in expected]


def test_ge_record_time(epcis, history):
    assert len(epcis.events(GE_recordTime="2000-01-01T00:00:00Z")) == 5
    assert epcis.events(GE_recordTime="2999-01-01T00:00:00Z") == []


def test_record_time_bounds_split_captures_at_the_instant(epcis, monkeypatch):
    """Three captures recorded at known instants (the repository's clock, set here): GE_ takes
    the instant itself, LT_ stops before it, in any time zone."""
    instants = iter(
        datetime(2025, 6, 1, 0, 0, second, tzinfo=UTC) for second in (0, 1, 2)
    )  # fmt: skip

    def clock():
        now = next(instants)
        return now, now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    monkeypatch.setattr(capture, "record_time_now", clock)
    for n in (1, 2, 3):
        epcis.job(epcis.capture(document(object_event(n))))
    assert [e["recordTime"] for e in epcis.events()] == [
        "2025-06-01T00:00:00.000Z",
        "2025-06-01T00:00:01.000Z",
        "2025-06-01T00:00:02.000Z",
    ]
    assert ids(epcis.events(GE_recordTime="2025-06-01T00:00:01Z")) == [f"{E}2", f"{E}3"]
    assert ids(epcis.events(GE_recordTime="2025-06-01T08:00:01.001+08:00")) == [f"{E}3"]
    assert ids(epcis.events(LT_recordTime="2025-06-01T00:00:01Z")) == [f"{E}1"]
    both = {"GE_recordTime": "2025-06-01T00:00:01Z", "LT_recordTime": "2025-06-01T00:00:02Z"}
    assert ids(epcis.events(**both)) == [f"{E}2"]
    assert ids(epcis.events(orderBy="recordTime", orderDirection="DESC")) == [
        f"{E}3",
        f"{E}2",
        f"{E}1",
    ]


def test_order_by_event_time_descending(epcis, history):
    found = epcis.events(orderBy="eventTime", orderDirection="DESC")
    assert ids(found) == [f"{E}{n}" for n in (5, 4, 3, 2, 1)]


@pytest.mark.parametrize(
    "params",
    [
        {"EQ_colour": "red"},
        {"GE_eventTime": "yesterday"},
        {"GE_eventTime": "2025-01-01T00:00:00"},
        {"perPage": "0"},
        {"orderBy": "bizStep"},
        {"MATCH_epc": "urn:epc:id:sgtin:0614141.81234.1"},
        {"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.*.5"},
        {"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.*"},
        {"GE_recordTime": "2025-01-01"},
        {"EQ_bizStep": ""},
        {"nextPageToken": "not-a-token"},
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(epcis, history, params):
    response = epcis.query(**params)
    assert response.status_code == 400
    problem = orjson.loads(response.content)
    assert problem["type"] == "epcisException:QueryParameterException"
    assert next(iter(params)) in problem["detail"]


def test_paging_walks_every_event_once(epcis):
    epcis.job(epcis.capture(document(*(object_event(n) for n in range(25)))))
    seen, url, pages = [], "/epcis/v2/events?perPage=10", 0
    while url:
        response = epcis.client.get(url, **epcis.headers("province"))
        assert response.status_code == 200
        body = orjson.loads(response.content)
        seen += ids(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
        pages += 1
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25


def walk(epcis, url: str) -> tuple[list[str], int]:
    """The eventIDs of every page from ``url`` on, following the Link headers; and the pages."""
    seen, pages = [], 0
    while url:
        response = epcis.client.get(url, **epcis.headers("province"))
        assert response.status_code == 200, response.content
        body = orjson.loads(response.content)
        assert VALIDATOR.is_valid(body)
        seen += ids(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
        pages += 1
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    return seen, pages


def test_pages_keep_the_query_and_its_order(epcis):
    """Filters and order are carried by nextPageToken: the pages together are the one-page
    answer, in its order."""
    events = [
        object_event(
            n,
            time=f"2025-03-{1 + n // 2:02d}T08:00:00+08:00",  # pairs share a time: the id decides
            biz_step="shipping" if n % 3 else "commissioning",
        )
        for n in range(24)
    ]
    epcis.job(epcis.capture(document(*events)))
    query = {"EQ_bizStep": "shipping", "orderBy": "eventTime", "orderDirection": "DESC"}
    whole = ids(epcis.events(**query))
    assert len(whole) == 16
    assert whole == sorted(
        whole, key=lambda i: (events[int(i[-12:])]["eventTime"], i), reverse=True
    )
    seen, pages = walk(epcis, "/epcis/v2/events?" + urlencode({**query, "perPage": 5}))
    assert (seen, pages) == (whole, 4)


def test_a_last_full_page_has_no_next_link(epcis):
    epcis.job(epcis.capture(document(*(object_event(n) for n in range(4)))))
    response = epcis.query("province", perPage="4")
    assert "Link" not in response.headers
    seen, pages = walk(epcis, "/epcis/v2/events?perPage=2")
    assert (len(seen), pages) == (4, 2)


def test_a_page_token_is_tied_to_its_scope_and_cannot_be_forged(epcis):
    epcis.job(epcis.capture(document(*(object_event(n) for n in range(5)))))
    response = epcis.query("province", perPage="2")
    token = response.headers["Link"].split("nextPageToken=")[1].split(">")[0].split("&")[0]
    from urllib.parse import unquote

    token = unquote(token)
    assert epcis.query("province", nextPageToken=token).status_code == 200
    assert epcis.query("enterprise", nextPageToken=token).status_code == 400
    assert epcis.query("province", nextPageToken=token[:-2] + "xx").status_code == 400


def test_each_role_sees_only_its_events(epcis, world):
    epcis.job(epcis.capture(document(object_event(1)), role="enterprise"))
    epcis.job(epcis.capture(document(object_event(2)), role="enterprise_b"), role="enterprise_b")
    seen = {role: ids(epcis.events(role)) for role in ("province", "dongying", "qingdao")}
    seen |= {role: ids(epcis.events(role)) for role in ("enterprise", "enterprise_b")}
    assert seen == {
        "province": [f"{E}1", f"{E}2"],
        "dongying": [f"{E}1"],
        "qingdao": [f"{E}2"],
        "enterprise": [f"{E}1"],
        "enterprise_b": [f"{E}2"],
    }
    assert epcis.query("department").status_code == 403
    assert epcis.client.get("/epcis/v2/events").status_code == 401
    one = f"/epcis/v2/events/{E}2"
    assert epcis.client.get(one, **epcis.headers("enterprise_b")).status_code == 200
    assert epcis.client.get(one, **epcis.headers("enterprise")).status_code == 404


LOT = "urn:epc:class:lgtin:0614141.012345.202508"


@pytest.fixture
def recycled(epcis):
    """A recycler's TransformationEvent: two tyres in, a material class out by weight."""
    event = {
        "type": "TransformationEvent",
        "eventID": f"{E}9",
        "eventTime": "2025-08-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputEPCList": [sgtin(1), sgtin(2)],
        "outputQuantityList": [{"epcClass": LOT, "quantity": 12.5, "uom": "KGM"}],
        "inputQuantityList": [{"epcClass": "urn:epc:idpat:sgtin:0614141.812399.*", "quantity": 3}],
        "bizStep": "https://voc.tirebrain.sd.gov.cn/bizstep/crumbing",
        "bizLocation": {"id": FACTORY},
    }
    epcis.job(epcis.capture(document(object_event(1), event)))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"MATCH_inputEPC": sgtin(2)}, [9]),
        ({"MATCH_outputEPC": sgtin(2)}, []),
        ({"MATCH_epc": sgtin(2)}, []),  # MATCH_epc does not look at a transformation's inputs
        ({"MATCH_anyEPC": sgtin(1)}, [1, 9]),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.812345.*"}, [1, 9]),
        ({"MATCH_inputEPC": "urn:epc:idpat:sgtin:0614141.*.*"}, [9]),
        ({"MATCH_outputEPC": "urn:epc:idpat:sgtin:*.*.*"}, []),
        ({"MATCH_outputEPCClass": LOT}, [9]),
        ({"MATCH_inputEPCClass": "urn:epc:idpat:sgtin:0614141.812399.*"}, [9]),
        ({"MATCH_anyEPCClass": LOT}, [9]),
        ({"MATCH_epcClass": LOT}, []),
        ({"EQ_bizStep": "https://voc.tirebrain.sd.gov.cn/bizstep/crumbing"}, [9]),
        ({"LT_recordTime": "2000-01-01T00:00:00Z"}, []),
        ({"orderBy": "eventTime", "orderDirection": "ASC"}, [1, 9]),
    ],
)
def test_transformation_and_class_parameters(epcis, recycled, params, expected):
    assert ids(epcis.events(**params)) == [f"{E}{n}" for n in expected]
