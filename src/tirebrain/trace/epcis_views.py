"""The GS1 EPCIS 2.0 REST binding under ``/epcis/v2/``: capture, capture jobs, event queries.

Plain Django views rather than the /api/v1 router: the binding fixes its own paths, headers
(``GS1-*``, ``Link``), media types (JSON-LD, XML, ``application/problem+json``) and status codes,
and the bodies are passed through as bytes. Errors are RFC 7807 problem documents with the
binding's exception types.
"""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tirebrain.accounts.access import role_of
from tirebrain.accounts.models import Role
from tirebrain.accounts.services import user_for_token
from tirebrain.trace import capture as capturing
from tirebrain.trace.access import capturing_organisation, events_for, scope_key
from tirebrain.trace.models import CaptureBehaviour, CaptureJob
from tirebrain.trace.query import QueryError, event_document, run
from tirebrain.trace.xmlbinding import XmlDocumentError, parse_xml_document

JSON_TYPES = ("application/json", "application/ld+json")
XML_TYPES = ("application/xml", "text/xml")
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}


def problem(status: int, kind: str, title: str, detail: str = "", **extra) -> HttpResponse:
    body = {"type": f"epcisException:{kind}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return _respond(orjson.dumps(body), status, "application/problem+json")


def _respond(body: bytes, status: int = 200, content_type="application/ld+json", **headers):
    response = HttpResponse(body, status=status, content_type=content_type)
    for name, value in {**VERSION_HEADERS, **headers}.items():
        response[name] = value
    return response


def _token_user(request: HttpRequest):
    """The bearer token's user, or None. Capture takes tokens only: the views are exempt from
    CSRF protection (machines post to them), so a browser session must not be enough."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return user_for_token(auth[7:].strip())
    return None


def _user(request: HttpRequest):
    """For reading: the bearer token's user, else the session's; None for the public."""
    user = _token_user(request)
    if user is None and request.user.is_authenticated:
        return request.user
    return user


def _unauthorised() -> HttpResponse:
    response = problem(
        401,
        "SecurityException",
        _("Authentication required"),
        _("Send an API token: Authorization: Bearer <token> (tirebrain token create USER)."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="epcis"'
    return response


def _forbidden(detail: str) -> HttpResponse:
    return problem(403, "SecurityException", _("Not allowed"), detail)


def _read_body(request: HttpRequest) -> bytes | HttpResponse:
    """The request body, refusing (413) anything over the advertised size before reading it."""
    limit = settings.EPCIS_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _too_large(limit)
    data = request.read(limit + 1)
    if len(data) > limit:
        return _too_large(limit)
    return data


def _too_large(limit: int) -> HttpResponse:
    return problem(
        413,
        "CaptureLimitExceededException",
        _("Document too large"),
        _("Documents may have at most %(bytes)s bytes and %(events)s events.")
        % {"bytes": limit, "events": settings.EPCIS_MAX_EVENTS},
    )


def _parse(request: HttpRequest, data: bytes) -> tuple[dict, str] | HttpResponse:
    media = request.content_type or ""
    if media in XML_TYPES:
        try:
            return parse_xml_document(data, limit=settings.EPCIS_MAX_EVENTS), "xml"
        except XmlDocumentError as exc:
            if exc.reason in XmlDocumentError.LIMITS:
                return problem(
                    413, "CaptureLimitExceededException", _("Document too large"), str(exc)
                )
            return problem(400, "ValidationException", _("Not an EPCIS 2.0 XML document"), str(exc))
    if media not in JSON_TYPES:
        return problem(
            415,
            "UnsupportedMediaType",
            _("Unsupported media type"),
            _("Send application/json, application/ld+json or application/xml."),
        )
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return problem(400, "ValidationException", _("Not valid JSON"), str(exc))
    if not isinstance(doc, dict):
        return problem(400, "ValidationException", _("Not valid JSON"), _("Expected an object."))
    return doc, "json"


def _capture_limits() -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(settings.EPCIS_MAX_EVENTS),
        "GS1-EPCIS-Capture-File-Size-Limit": str(settings.EPCIS_MAX_BYTES),
        "GS1-Capture-Error-Behaviour": "rollback, proceed",
    }


def _sender(request: HttpRequest):
    """(user, organisation) of a capturing request's token, or the refusal to send back."""
    user = _token_user(request)
    if user is None:
        return _unauthorised()
    organisation = capturing_organisation(user)
    if organisation is None:
        return _forbidden(_("Only provincial officers and enterprises may capture events."))
    return user, organisation


def _incoming(request: HttpRequest) -> tuple[dict, str] | HttpResponse:
    """The request's document and its format ("json", "xml"), or the refusal to send back."""
    data = _read_body(request)
    if isinstance(data, HttpResponse):
        return data
    return _parse(request, data)


@csrf_exempt
def capture(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _respond(b"", 204, Allow="OPTIONS, GET, POST", **_capture_limits())
    if request.method == "GET":
        user = _user(request)
        return _job_list(user) if user else _unauthorised()
    if request.method != "POST":
        return problem(405, "MethodNotAllowed", _("Method not allowed"))
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    user, organisation = sender
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", CaptureBehaviour.ROLLBACK)
    if behaviour not in CaptureBehaviour.values:
        return problem(
            400,
            "ValidationException",
            _("Unknown capture error behaviour"),
            _("GS1-Capture-Error-Behaviour is rollback or proceed."),
        )
    incoming = _incoming(request)
    if isinstance(incoming, HttpResponse):
        return incoming
    doc, fmt = incoming
    if doc.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        return problem(
            400,
            "ValidationException",
            _("Not an EPCIS document"),
            _("The capture interface takes an EPCISDocument."),
        )
    events = (doc.get("epcisBody") or {}).get("eventList")
    if isinstance(events, list) and len(events) > settings.EPCIS_MAX_EVENTS:
        return _too_large(settings.EPCIS_MAX_BYTES)
    job = capturing.capture_document(
        doc, user=user, organisation=organisation, behaviour=behaviour, document_format=fmt
    )
    location = reverse("trace:capture_job", args=[job.capture_id])
    return _respond(b"", 202, "application/json", Location=location, **_capture_limits())


def job_document(job: CaptureJob) -> dict:
    doc = {
        "captureID": job.capture_id,
        "createdAt": job.created_at.isoformat(),
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.behaviour,
        "errors": job.errors,
    }
    if job.finished_at:
        doc["finishedAt"] = job.finished_at.isoformat()
    doc["eventCount"] = job.event_count
    doc["storedCount"] = job.stored_count
    doc["duplicateCount"] = job.duplicate_count
    return doc


def _jobs_for(user):
    """Provincial officers see every job; others the jobs of their own organisation."""
    jobs = CaptureJob.objects.all()
    if role_of(user) == Role.PROVINCE:
        return jobs
    organisation = capturing_organisation(user)
    return jobs.filter(organisation=organisation) if organisation else jobs.none()


def _job_list(user) -> HttpResponse:
    jobs = [job_document(j) for j in _jobs_for(user)[: settings.EPCIS_MAX_PAGE]]
    return _respond(orjson.dumps(jobs), content_type="application/json")


def capture_job(request: HttpRequest, capture_id: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    job = _jobs_for(user).filter(capture_id=capture_id).first()
    if job is None:
        return problem(404, "NoSuchResourceException", _("No such capture job"))
    return _respond(orjson.dumps(job_document(job)), content_type="application/json")


@csrf_exempt
def events(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _respond(b"", 204, Allow="OPTIONS, GET, POST")
    if request.method == "POST":
        return _capture_one(request)
    if request.method != "GET":
        return problem(405, "MethodNotAllowed", _("Method not allowed"))
    user = _user(request)
    if user is None:
        return _unauthorised()
    scope = events_for(user)
    if scope is None:
        return _forbidden(_("Your role does not give access to single events."))
    try:
        page = run(scope, dict(request.GET.lists()), scope_key=scope_key(user))
    except QueryError as exc:
        return problem(400, "QueryParameterException", _("Bad query parameter"), str(exc))
    headers = {}
    if page.next_token:
        per_page = request.GET.get("perPage")
        params = {"nextPageToken": page.next_token, **({"perPage": per_page} if per_page else {})}
        url = request.build_absolute_uri(request.path) + "?" + urlencode(params)
        headers["Link"] = f'<{url}>; rel="next"'
    return _respond(page.body, **headers)


def _capture_one(request: HttpRequest) -> HttpResponse:
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    user, organisation = sender
    incoming = _incoming(request)
    if isinstance(incoming, HttpResponse):
        return incoming
    event, _fmt = incoming
    job, event_id = capturing.capture_event(event, user=user, organisation=organisation)
    if event_id is None:
        return problem(
            400,
            "ValidationException",
            _("The event was refused"),
            "; ".join(e["message"] for e in job.errors),
            errors=job.errors,
        )
    location = reverse("trace:event", args=[event_id])
    return _respond(b"", 201, "application/json", Location=location)


def event(request: HttpRequest, event_id: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    scope = events_for(user)
    if scope is None:
        return _forbidden(_("Your role does not give access to single events."))
    found = scope.filter(event_id=event_id).first()
    if found is None:
        return problem(404, "NoSuchResourceException", _("No such event"))
    return _respond(event_document(found))
