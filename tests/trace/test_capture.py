"""Capture over the EPCIS 2.0 REST binding: official examples, rollback and proceed,
idempotency, hash IDs, limits, tokens and the organisation that captured."""

from __future__ import annotations

import orjson
import pytest
from django.test import override_settings

from tests.trace.conftest import gs1_json_documents
from tests.trace.documents import document, object_event, sgtin
from tirebrain.trace.models import CaptureJob, Event, EventEpc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", gs1_json_documents(), ids=lambda p: p.name)
def test_every_official_example_document_is_accepted(epcis, path):
    doc = orjson.loads(path.read_bytes())
    job = epcis.job(epcis.capture(doc, role="province"), role="province")
    assert job["success"], job["errors"]
    assert job["running"] is False
    assert Event.objects.count() == len(doc["epcisBody"]["eventList"])


def test_a_valid_document_is_stored_with_who_captured_it(epcis, world):
    doc = document(*(object_event(n) for n in range(3)))
    response = epcis.capture(doc)
    job = epcis.job(response)
    assert job["success"] and job["errors"] == []
    assert job["storedCount"] == 3
    assert response["GS1-EPCIS-Version"] == "2.0.0"
    stored = CaptureJob.objects.get(capture_id=job["captureID"])
    assert stored.organisation.pk == world.ents["a1"].pk
    assert stored.user == world.users["enterprise"]
    assert set(Event.objects.values_list("organisation_id", flat=True)) == {world.ents["a1"].pk}
    assert EventEpc.objects.count() == 3


def test_rollback_stores_nothing_and_names_every_bad_event_and_field(epcis):
    bad_step = object_event(1, bizStep="not a cbv step")
    no_time = object_event(2)
    del no_time["eventTime"]
    doc = document(object_event(0), bad_step, no_time)
    job = epcis.job(epcis.capture(doc))
    assert job["success"] is False
    assert job["storedCount"] == 0
    assert Event.objects.count() == 0
    by_index = {e["event_index"]: e for e in job["errors"]}
    assert set(by_index) == {1, 2}
    assert "bizStep" in by_index[1]["field"]
    assert by_index[1]["event_id"] == bad_step["eventID"]
    assert "eventTime" in by_index[2]["field"] + by_index[2]["message"]


def test_proceed_stores_the_valid_events_and_reports_the_rest(epcis):
    doc = document(object_event(0), object_event(1, action="SOMETIMES"), object_event(2))
    job = epcis.job(epcis.capture(doc, behaviour="proceed"))
    assert job["success"] is False
    assert job["captureErrorBehaviour"] == "proceed"
    assert [e["event_index"] for e in job["errors"]] == [1]
    assert job["storedCount"] == 2
    assert set(Event.objects.values_list("event_id", flat=True)) == {
        doc["epcisBody"]["eventList"][0]["eventID"],
        doc["epcisBody"]["eventList"][2]["eventID"],
    }


def test_unknown_error_behaviour_is_refused(epcis):
    response = epcis.capture(document(object_event(0)), behaviour="sometimes")
    assert response.status_code == 400


def test_a_resent_event_is_stored_once(epcis):
    doc = document(object_event(0), object_event(1))
    epcis.job(epcis.capture(doc))
    again = epcis.job(epcis.capture(document(object_event(1), object_event(2))))
    assert again["success"]
    assert again["storedCount"] == 1
    assert again["duplicateCount"] == 1
    assert Event.objects.count() == 3


def test_an_event_twice_in_one_document_is_stored_once(epcis):
    job = epcis.job(epcis.capture(document(object_event(0), object_event(0))))
    assert job["storedCount"] == 1 and job["duplicateCount"] == 1


def test_an_event_without_id_gets_the_cbv_hash_id_and_is_idempotent(epcis):
    doc = document(object_event(0, event_id=None))
    epcis.job(epcis.capture(doc))
    epcis.job(epcis.capture(doc))
    (event_id,) = Event.objects.values_list("event_id", flat=True)
    assert event_id.startswith("ni:///sha-256;")
    assert event_id.endswith("?ver=CBV2.0")


def test_a_document_over_the_event_limit_is_refused_413(epcis):
    with override_settings(EPCIS_MAX_EVENTS=2):
        response = epcis.capture(document(*(object_event(n) for n in range(3))))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert Event.objects.count() == 0


def test_a_document_over_the_size_limit_is_refused_413(epcis):
    with override_settings(EPCIS_MAX_BYTES=500):
        response = epcis.capture(document(*(object_event(n) for n in range(5))))
    assert response.status_code == 413


def test_limits_are_advertised(client, epcis):
    response = client.options("/epcis/v2/capture")
    assert response.status_code == 204
    assert int(response["GS1-EPCIS-Capture-Limit"]) > 0
    assert int(response["GS1-EPCIS-Capture-File-Size-Limit"]) > 0
    assert "rollback" in response["GS1-Capture-Error-Behaviour"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'{"type": "Something"}', "application/json", 400),
        (b"hello", "text/plain", 415),
    ],
)
def test_what_is_not_an_epcis_document_is_refused(epcis, body, content_type, status):
    response = epcis.capture(body, content_type=content_type)
    assert response.status_code == status
    assert orjson.loads(response.content)["type"].startswith("epcisException:")


def test_capture_needs_a_token(epcis):
    response = epcis.capture(document(object_event(0)), role=None)
    assert response.status_code == 401
    assert Event.objects.count() == 0


@pytest.mark.parametrize("role", ["dongying", "department"])
def test_cities_and_departments_do_not_capture(epcis, role):
    response = epcis.capture(document(object_event(0)), role=role)
    assert response.status_code == 403


def test_a_capture_job_is_seen_by_its_organisation_and_the_province_only(epcis):
    location = epcis.capture(document(object_event(0)))["Location"]
    assert epcis.client.get(location, **epcis.headers("enterprise")).status_code == 200
    assert epcis.client.get(location, **epcis.headers("province")).status_code == 200
    assert epcis.client.get(location, **epcis.headers("enterprise_b")).status_code == 404
    listing = epcis.client.get("/epcis/v2/capture", **epcis.headers("enterprise_b")).json()
    assert listing == []


def test_single_event_capture_answers_201_with_its_location(epcis):
    event = object_event(7)
    response = epcis.client.post(
        "/epcis/v2/events",
        orjson.dumps(event),
        content_type="application/json",
        **epcis.headers("enterprise"),
    )
    assert response.status_code == 201, response.content
    found = epcis.client.get(response["Location"], **epcis.headers("enterprise"))
    assert found.status_code == 200
    body = orjson.loads(found.content)
    assert body["eventID"] == event["eventID"]
    assert body["epcList"] == [sgtin(7)]


def test_single_event_capture_refuses_a_bad_event_with_its_field(epcis):
    event = object_event(7, action="MAYBE")
    response = epcis.client.post(
        "/epcis/v2/events",
        orjson.dumps(event),
        content_type="application/json",
        **epcis.headers("enterprise"),
    )
    assert response.status_code == 400
    assert "action" in response.content.decode()
    assert Event.objects.count() == 0


def test_an_error_declaration_marks_the_stored_event(epcis):
    event = object_event(3)
    epcis.job(epcis.capture(document(event)))
    declaration = {
        **event,
        "errorDeclaration": {
            "declarationTime": "2025-03-02T08:00:00+08:00",
            "reason": "incorrect_data",
        },
    }
    job = epcis.job(epcis.capture(document(declaration)))
    assert job["success"] and job["storedCount"] == 1
    (stored,) = epcis.events("province", EQ_eventID=event["eventID"])
    assert stored["errorDeclaration"]["reason"] == "incorrect_data"
    again = epcis.job(epcis.capture(document(declaration)))
    assert again["duplicateCount"] == 1
