"""The EPCIS 2.0 query interface: round trips, every supported parameter, paging, scope."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import orjson
import pytest

from tests.trace.conftest import gs1_json_documents
from tests.trace.documents import FACTORY, RETAILER, document, object_event, sgtin

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parents[2] / "src/tirebrain/trace/standard/EPCIS-JSON-Schema.json"
VALIDATOR = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))


def ids(events: list[dict]) -> list[str]:
    return [e["eventID"] for e in events]


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
            assert back.pop("eventID").startswith("ni:///sha-256;")
        assert back == original
    # the document's own namespace prefixes come back with its events
    own = (
        [c for c in doc["@context"] if isinstance(c, dict)]
        if isinstance(doc["@context"], list)
        else []
    )
    for prefixes in own:
        merged = {k: v for c in answer["@context"] if isinstance(c, dict) for k, v in c.items()}
        assert prefixes.items() <= merged.items()


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
        ({"MATCH_epc": sgtin(99)}, []),
    ],
)
def test_each_query_parameter(epcis, history, params, expected):
    assert ids(epcis.events(**params)) == [f"{E}{n}" for n in expected]


def test_ge_record_time(epcis, history):
    assert len(epcis.events(GE_recordTime="2000-01-01T00:00:00Z")) == 5
    assert epcis.events(GE_recordTime="2999-01-01T00:00:00Z") == []


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
