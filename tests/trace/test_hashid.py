"""The CBV 2.0 Event Hash ID: the reference implementation's vectors, representation
independence on GS1's own example, and each canonicalisation rule."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path

import orjson
import pytest

from tirebrain.trace.hashid import event_hash_id, pre_hash_string

VECTORS = Path(__file__).parent / "hashid_vectors"
GS1_EVENT_7 = Path(__file__).parent / "gs1/XML/WithEventHashID/event_with_identical_hash_id_7.json"


def _events(doc: dict) -> list[dict]:
    body = doc["epcisBody"]
    return (
        body["eventList"]
        if "eventList" in body
        else body["queryResults"]["resultsBody"]["eventList"]
    )


@pytest.mark.parametrize("path", sorted(VECTORS.glob("*.jsonld")), ids=lambda p: p.stem)
def test_reference_vectors(path: Path) -> None:
    doc = orjson.loads(path.read_bytes())
    expected = path.with_suffix(".hashes").read_text().split()
    events = _events(doc)
    assert len(events) == len(expected)
    for event, hash_id in zip(events, expected, strict=True):
        assert event_hash_id(event, doc["@context"]) == hash_id, pre_hash_string(
            event, doc["@context"]
        )


def _gs1_event_7() -> tuple[dict, list]:
    doc = orjson.loads(GS1_EVENT_7.read_bytes())
    return doc["epcisBody"]["eventList"][0], doc["@context"]


def test_gs1_example_7_pre_hash_string() -> None:
    event, context = _gs1_event_7()
    expected = (VECTORS / "gs1_event_with_identical_hash_id_7.prehash").read_text().strip()
    assert pre_hash_string(event, context) == expected
    assert event_hash_id(event, context) == (
        "ni:///sha-256;0bda5c32ccd2aed0d86966dc950bc88ef4249fd2e89735943812f32294561728?ver=CBV2.0"
    )


def _shuffled(value: object, rng: random.Random) -> object:
    """The same JSON with every object's keys and every list in another order."""
    if isinstance(value, dict):
        items = [(k, _shuffled(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        items = [_shuffled(v, rng) for v in value]
        rng.shuffle(items)
        return items
    return value


def test_gs1_example_7_other_renderings_of_the_same_event_have_its_hash() -> None:
    event, context = _gs1_event_7()
    original = event_hash_id(event, context)
    other = copy.deepcopy(event)
    # bare CBV words instead of EPCIS 1.x URNs
    other["bizStep"], other["disposition"] = "receiving", "in_progress"
    other["bizTransactionList"][0]["type"] = "po"
    for item in other["sourceList"] + other["destinationList"]:
        item["type"] = item["type"].rsplit(":", 1)[1]
    other["persistentDisposition"] = {
        "unset": ["completeness_inferred"],
        "set": ["https://ref.gs1.org/cbv/Disp-completeness_verified"],
    }
    # Digital Links for EPC URIs, on a brand's own domain and with short names
    other["epcList"] = [
        "https://id.gs1.org/01/10614141073464/21/2016",
        "https://brand.example.com/gtin/10614141073464/ser/2017?linkType=all",
        "urn:epc:id:sgtin:0614141.107346.2018",
    ]
    # the same instant in another offset, numbers without the trailing zero
    other["eventTime"] = "2005-04-05T02:33:31.116Z"
    for element in other["quantityList"]:
        element["quantity"] = int(element["quantity"])
    report = other["sensorElementList"][0]["sensorReport"][0]
    report["type"] = "Temperature"
    report["value"], report["minValue"] = 26, 26
    # what names or annotates the event is not hashed
    other["eventID"] = "urn:uuid:ba8d67e1-2a26-4c36-8c44-3c7ebd54fdd0"
    other["recordTime"] = "2024-01-01T00:00:00.000Z"
    other["rdfs:comment"] = "a re-sent copy"
    other["errorDeclaration"] = {
        "declarationTime": "2024-01-02T00:00:00Z",
        "reason": "did_not_occur",
    }
    for seed in range(5):
        assert event_hash_id(_shuffled(other, random.Random(seed)), context) == original


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eventTimeZoneOffset", "-05:00"),
        ("eventTime", "2005-04-04T20:33:31.117-06:00"),
        ("bizStep", "shipping"),
        ("epcList", ["urn:epc:id:sgtin:0614141.107346.2016"]),
        ("ext1:int", 11),
        ("ext1:new", "x"),
    ],
)
def test_what_the_event_says_changes_its_hash(field: str, value: object) -> None:
    event, context = _gs1_event_7()
    changed = {**event, field: value}
    assert event_hash_id(changed, context) != event_hash_id(event, context)


def test_hash_id_form() -> None:
    event, context = _gs1_event_7()
    assert re.fullmatch(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0", event_hash_id(event, context))


def _pre(**fields: object) -> str:
    """The pre-hash string of a minimal ObjectEvent with ``fields``, without the fixed head."""
    event = {"type": "ObjectEvent", "action": "OBSERVE", **fields}
    return pre_hash_string(event).removeprefix("eventType=ObjectEvent")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
        ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
        ("2023-02-02T11:04:03.1425Z", "2023-02-02T11:04:03.143Z"),  # half up, as §8.9 says
        ("2023-02-02T23:59:59.9996+00:00", "2023-02-03T00:00:00.000Z"),
        ("2024-05-01T08:30:00+08:00", "2024-05-01T00:30:00.000Z"),
        ("2024-05-01T08:30:00.5-05:30", "2024-05-01T14:00:00.500Z"),
        ("2024-05-01T08:30:00", "2024-05-01T08:30:00.000Z"),  # no offset: read as UTC
    ],
)
def test_timestamps_in_utc_with_milliseconds(written: str, canonical: str) -> None:
    assert _pre(eventTime=written) == f"eventTime={canonical}action=OBSERVE"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
        ("urn:epc:id:sgtin:6901234.012345.A!1", "https://id.gs1.org/01/06901234123456/21/A%211"),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgln:0614141.12345.0", "https://id.gs1.org/414/0614141123452"),
        ("urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400"),
        ("urn:epc:id:grai:456781236056..B7", "https://id.gs1.org/8003/04567812360563B7"),
        ("urn:epc:id:giai:6954321.TPMS-77", "https://id.gs1.org/8004/6954321TPMS-77"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        ("urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"),
        ("https://id.gs1.org/01/09780345418913", "https://id.gs1.org/01/09780345418913"),
        (
            "http://brand.example.com/gtin/9780345418913/lot/L1/ser/7?x=1",
            "https://id.gs1.org/01/09780345418913/21/7",
        ),
        (
            "https://example.com/p/01/09780345418913/22/V1/10/L1",
            "https://id.gs1.org/01/09780345418913/10/L1",
        ),
        ("https://example.com/414/4012345000115", "https://id.gs1.org/414/4012345000115"),
        ("https://example.com/certificate/ABC12345", "https://example.com/certificate/ABC12345"),
        ("urn:epc:id:sgtin:0614141.107346", "urn:epc:id:sgtin:0614141.107346"),  # no serial: as is
        ("geo:47.506694,11.104301", "geo:47.506694,11.104301"),
    ],
)
def test_identifiers_as_constrained_canonical_digital_links(written: str, canonical: str) -> None:
    assert _pre(epcList=[written]) == f"epcList epc={canonical}action=OBSERVE".replace(" ", "")


@pytest.mark.parametrize(
    ("field", "written", "canonical"),
    [
        ("bizStep", "shipping", "https://ref.gs1.org/cbv/BizStep-shipping"),
        (
            "bizStep",
            "urn:epcglobal:cbv:bizstep:shipping",
            "https://ref.gs1.org/cbv/BizStep-shipping",
        ),
        ("bizStep", "cbv:BizStep-shipping", "https://ref.gs1.org/cbv/BizStep-shipping"),
        (
            "bizStep",
            "https://tyre.example.cn/step/retreading",
            "https://tyre.example.cn/step/retreading",
        ),
        ("disposition", "in_transit", "https://ref.gs1.org/cbv/Disp-in_transit"),
    ],
)
def test_cbv_values_as_web_uris(field: str, written: str, canonical: str) -> None:
    assert _pre(**{field: written}) == f"action=OBSERVE{field}={canonical}"


def test_values_numbers_booleans_and_nulls() -> None:
    report = {
        "type": "Temperature",
        "value": 26.0,
        "booleanValue": True,
        "uom": None,
        "sDev": "0.10",
    }
    element = {"sensorReport": [report]}
    assert _pre(sensorElementList=[element]) == (
        "action=OBSERVEsensorElementListsensorElementsensorReport"
        "type=https://gs1.org/voc/Temperaturevalue=26booleanValue=truesDev=0.1"
    )


def test_extensions_use_the_documents_prefixes_and_sort_after_the_standard_fields() -> None:
    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "tb:b": {"tb:z": "2", "tb:y": ["3", "1"]},
        "tb:a": "x",
        "readPoint": {"tb:dock": "D3", "id": "urn:epc:id:sgln:6901234.00001.0"},
        "sourceList": [{"source": "urn:epc:id:pgln:6901234.00000", "type": "owning_party"}],
    }
    context = [{"tb": "https://tirebrain.example.cn/epcis/"}]
    assert pre_hash_string(event, context) == (
        "eventType=ObjectEventaction=OBSERVE"
        "readPointid=https://id.gs1.org/414/6901234000016{https://tirebrain.example.cn/epcis/}dock=D3"
        "sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/6901234000009"
        "{https://tirebrain.example.cn/epcis/}a=x"
        "{https://tirebrain.example.cn/epcis/}b{https://tirebrain.example.cn/epcis/}y=1"
        "{https://tirebrain.example.cn/epcis/}y=3{https://tirebrain.example.cn/epcis/}z=2"
    )
    # without a context argument, the event's own @context names the prefixes
    assert pre_hash_string({**event, "@context": context}) == pre_hash_string(event, context)
    # a prefix nobody declared stays as written
    assert "tb:a=x" in pre_hash_string(event)
