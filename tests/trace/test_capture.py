"""Capture over the EPCIS 2.0 REST binding: official examples, rollback and proceed,
idempotency, hash IDs, limits, tokens and the organisation that captured."""

from __future__ import annotations

import orjson
import pytest
from django.test import Client, override_settings

from tests.trace.conftest import Epcis, gs1_json_documents
from tests.trace.documents import document, object_event, sgtin
from tirebrain.accounts.models import ApiToken
from tirebrain.orgs.models import Organisation, OrgKind
from tirebrain.trace.epc import match_key
from tirebrain.trace.hashid import event_hash_id
from tirebrain.trace.models import CaptureJob, Event, EventEpc, StageCount
from tirebrain.trace.store import COPY_CHUNK

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


#: More events than one COPY chunk holds, so that the streamed write crosses chunk boundaries.
MANY = 3 * COPY_CHUNK + 7
MALFORMED = "urn:epc:id:sgtin:0614141.81234.6789"  # company prefix + item reference ≠ 13 digits


def test_a_long_document_partly_stored_before_stores_the_rest_once(epcis):
    before = [0, 1, COPY_CHUNK, 2 * COPY_CHUNK + 3, MANY - 1]
    epcis.job(epcis.capture(document(*(object_event(n) for n in before))))
    job = epcis.job(epcis.capture(document(*(object_event(n) for n in range(MANY)))))
    assert (job["success"], job["storedCount"], job["duplicateCount"]) == (True, MANY - 5, 5)
    assert Event.objects.count() == MANY
    assert EventEpc.objects.count() == MANY
    assert set(EventEpc.objects.values_list("key", flat=True)) == {
        match_key(sgtin(n)) for n in range(MANY)
    }


def test_a_malformed_epc_late_in_a_long_document_refuses_it_all_under_rollback(epcis):
    events = [object_event(n) for n in range(MANY)]
    events[MANY - 2] = object_event(MANY - 2, epcs=[MALFORMED])
    job = epcis.job(epcis.capture(document(*events)))
    assert job["success"] is False
    assert [(e["event_index"], e["code"]) for e in job["errors"]] == [(MANY - 2, "epc")]
    assert (job["storedCount"], Event.objects.count(), EventEpc.objects.count()) == (0, 0, 0)
    assert StageCount.objects.count() == 0


def test_a_malformed_epc_under_proceed_leaves_out_only_its_event(epcis):
    events = [object_event(n) for n in range(MANY)]
    events[COPY_CHUNK] = object_event(COPY_CHUNK, epcs=[MALFORMED])
    job = epcis.job(epcis.capture(document(*events), behaviour="proceed"))
    assert [(e["event_index"], e["code"]) for e in job["errors"]] == [(COPY_CHUNK, "epc")]
    assert (job["storedCount"], job["duplicateCount"]) == (MANY - 1, 0)
    assert set(Event.objects.values_list("event_id", flat=True)) == {
        e["eventID"] for i, e in enumerate(events) if i != COPY_CHUNK
    }
    assert EventEpc.objects.count() == MANY - 1


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


# -- tokens and the organisation that captured -------------------------------------------------


def test_a_machine_captures_with_its_token_and_no_csrf_token(world):
    """Partners' systems post with a bearer token and no CSRF cookie (the client below enforces
    CSRF as a real request would): both capture endpoints take them."""
    machine = Epcis(Client(enforce_csrf_checks=True), world)
    job = machine.job(machine.capture(document(object_event(0))))
    assert job["success"] and job["storedCount"] == 1
    response = machine.client.post(
        "/epcis/v2/events",
        orjson.dumps(object_event(1)),
        content_type="application/json",
        **machine.headers("enterprise"),
    )
    assert response.status_code == 201
    assert Event.objects.count() == 2


@pytest.mark.parametrize("spoilt", ["unknown", "revoked", "inactive user", "not bearer"])
def test_capture_refuses_a_token_that_is_not_live_with_401(epcis, world, spoilt):
    headers = epcis.headers("enterprise")
    if spoilt == "unknown":
        headers = {"HTTP_AUTHORIZATION": "Bearer tb_" + "x" * 43}
    elif spoilt == "revoked":
        ApiToken.objects.filter(user=world.users["enterprise"]).update(revoked=True)
    elif spoilt == "inactive user":
        world.users["enterprise"].is_active = False
        world.users["enterprise"].save(update_fields=["is_active"])
    else:
        headers = {"HTTP_AUTHORIZATION": f"Token {world.keys['enterprise']}"}
    for path, body in (
        ("/epcis/v2/capture", document(object_event(0))),
        ("/epcis/v2/events", object_event(1)),
    ):
        response = epcis.client.post(
            path, orjson.dumps(body), content_type="application/ld+json", **headers
        )
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == 'Bearer realm="epcis"'
        assert orjson.loads(response.content)["type"] == "epcisException:SecurityException"
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


def test_a_browser_session_is_not_enough_to_capture(client, world):
    client.force_login(world.users["enterprise"])
    for path, body in (
        ("/epcis/v2/capture", document(object_event(0))),
        ("/epcis/v2/events", object_event(1)),
    ):
        response = client.post(path, orjson.dumps(body), content_type="application/ld+json")
        assert response.status_code == 401, path
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("dongying", 403), ("department", 403)])
def test_single_event_capture_needs_a_capturing_token(epcis, role, status):
    response = epcis.client.post(
        "/epcis/v2/events",
        orjson.dumps(object_event(1)),
        content_type="application/json",
        **epcis.headers(role),
    )
    assert response.status_code == status
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)


def test_each_event_records_the_organisation_that_captured_it(epcis, world):
    epcis.job(epcis.capture(document(object_event(1))))
    epcis.job(epcis.capture(document(object_event(2)), role="enterprise_b"), role="enterprise_b")
    epcis.job(epcis.capture(document(object_event(3)), role="province"), role="province")
    province = Organisation.objects.get(kind=OrgKind.PROVINCE)
    captured = dict(Event.objects.values_list("event_id", "organisation_id"))
    assert captured == {
        object_event(1)["eventID"]: world.ents["a1"].pk,
        object_event(2)["eventID"]: world.ents["b"].pk,
        object_event(3)["eventID"]: province.pk,
    }
    jobs = {job.user.username: job.organisation_id for job in CaptureJob.objects.all()}
    assert jobs == {"firm": world.ents["a1"].pk, "firm-b": world.ents["b"].pk, "prov": province.pk}


# -- the capture job, rollback and proceed -----------------------------------------------------


def test_the_capture_answer_points_at_its_job(epcis):
    response = epcis.capture(document(object_event(0)))
    job = epcis.job(response)
    assert response["Location"] == f"/epcis/v2/capture/{job['captureID']}"
    assert (job["eventCount"], job["storedCount"], job["duplicateCount"]) == (1, 1, 0)
    assert job["finishedAt"] >= job["createdAt"]


@pytest.mark.parametrize("behaviour", [None, "rollback"])
def test_rollback_is_the_default_and_can_be_asked_for(epcis, behaviour):
    doc = document(object_event(0), object_event(1, disposition="broken"), object_event(2))
    job = epcis.job(epcis.capture(doc, behaviour=behaviour))
    assert job["captureErrorBehaviour"] == "rollback"
    assert (job["success"], job["storedCount"], Event.objects.count()) == (False, 0, 0)
    assert [(e["event_index"], e["event_id"], e["field"], e["code"]) for e in job["errors"]] == [
        (1, object_event(1)["eventID"], "/disposition", "cbv.disposition")
    ]


def test_proceed_then_the_corrected_document_again_stores_only_the_corrected_event(epcis):
    bad = document(object_event(0), object_event(1, disposition="broken"), object_event(2))
    first = epcis.job(epcis.capture(bad, behaviour="proceed"))
    assert (first["storedCount"], first["duplicateCount"]) == (2, 0)
    fixed = document(object_event(0), object_event(1), object_event(2))
    again = epcis.job(epcis.capture(fixed, behaviour="proceed"))
    assert (again["success"], again["storedCount"], again["duplicateCount"]) == (True, 1, 2)
    assert Event.objects.count() == 3


def test_a_proceed_document_with_no_valid_event_stores_nothing(epcis):
    doc = document(object_event(0, action="NOW"), object_event(1, bizStep="Packing"))
    job = epcis.job(epcis.capture(doc, behaviour="proceed"))
    assert [(e["event_index"], e["field"]) for e in job["errors"]] == [
        (0, "/action"),
        (1, "/bizStep"),
    ]
    assert (job["success"], job["storedCount"], Event.objects.count()) == (False, 0, 0)


def test_the_hash_id_of_an_event_without_id_is_the_cbv_20_one(epcis):
    doc = document(object_event(0, event_id=None), object_event(1, event_id=None))
    epcis.job(epcis.capture(doc))
    expected = {event_hash_id(e, doc["@context"]) for e in doc["epcisBody"]["eventList"]}
    assert set(Event.objects.values_list("event_id", flat=True)) == expected
    assert len(expected) == 2
    again = epcis.job(epcis.capture(doc))
    assert (again["storedCount"], again["duplicateCount"]) == (0, 2)


def test_a_resent_single_event_is_stored_once(epcis):
    def post():
        return epcis.client.post(
            "/epcis/v2/events",
            orjson.dumps(object_event(7, event_id=None)),
            content_type="application/json",
            **epcis.headers("enterprise"),
        )

    first, second = post(), post()
    assert (first.status_code, second.status_code) == (201, 201)
    assert first["Location"] == second["Location"]
    (event_id,) = Event.objects.values_list("event_id", flat=True)
    assert event_id == event_hash_id(object_event(7, event_id=None), None)


def test_an_error_declaration_in_the_same_document_marks_the_event(epcis):
    """As when it comes in a later document (test_an_error_declaration_marks_the_stored_event):
    the event is stored once, with the declaration (GS1's AssociationEventExamples.xml holds
    event d and g, its declaration, whose hash ID is d's)."""
    event = object_event(3)
    declaration = {
        **event,
        "errorDeclaration": {
            "declarationTime": "2025-03-02T08:00:00+08:00",
            "reason": "did_not_occur",
        },
    }
    job = epcis.job(epcis.capture(document(event, declaration)))
    assert job["success"]
    (stored,) = epcis.events("province", EQ_eventID=event["eventID"])
    assert stored["errorDeclaration"]["reason"] == "did_not_occur"


# -- limits ------------------------------------------------------------------------------------


def test_the_advertised_limits_are_the_enforced_ones(client, epcis):
    two = document(object_event(0), object_event(1))
    size = len(orjson.dumps(two))
    with override_settings(EPCIS_MAX_EVENTS=2, EPCIS_MAX_BYTES=size):
        options = client.options("/epcis/v2/capture")
        advertised = (
            options["GS1-EPCIS-Capture-Limit"],
            options["GS1-EPCIS-Capture-File-Size-Limit"],
        )
        assert advertised == ("2", str(size))
        accepted = epcis.capture(two)
        assert accepted.status_code == 202
        assert accepted["GS1-EPCIS-Capture-Limit"] == "2"
        three = document(object_event(0), object_event(1), object_event(2))
        assert epcis.capture(three).status_code == 413
    with override_settings(EPCIS_MAX_BYTES=size - 1):
        too_big = epcis.capture(two)
        assert too_big.status_code == 413
        assert orjson.loads(too_big.content)["type"] == (
            "epcisException:CaptureLimitExceededException"
        )
    assert CaptureJob.objects.count() == 1


def test_single_event_capture_enforces_the_size_limit(epcis):
    event = orjson.dumps(object_event(1))
    with override_settings(EPCIS_MAX_BYTES=len(event) - 1):
        response = epcis.client.post(
            "/epcis/v2/events",
            event,
            content_type="application/json",
            **epcis.headers("enterprise"),
        )
    assert response.status_code == 413
    assert (CaptureJob.objects.count(), Event.objects.count()) == (0, 0)
