"""The CBV 2.0 EPCIS Event Hash ID: a name for an event computed from what the event says.

Why: EPCIS 2.0 makes ``eventID`` optional, but the repository needs one per event to store,
de-duplicate a re-sent event and answer ``GET /events/{eventID}``. CBV 2.0 §8.9 (EPCIS Event Hash
ID) defines a name every party can recompute from the event alone, the same whether the event
travelled as JSON-LD or XML: ``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920), the SHA-256 of a
canonical *pre-hash string*. :func:`event_hash_id` returns it, :func:`pre_hash_string` the
string hashed (for tests and for anyone comparing with another implementation).

The pre-hash string, as this module builds it (algorithm version ``CBV2.0``, following GS1's
reference implementation, github.com/RalphTro/epcis-event-hash-generator at commit 5d2f1c3,
after release 1.9.3, whose published test vectors — tests/trace/hashid_vectors/ — it reproduces
exactly; SHA-256 only):

* ``eventType=<type>``, then the standard fields in the canonical order (below), then everything
  else — business transactions, sources, destinations, ``ilmd`` and user extensions — each
  rendered on its own and the renderings sorted together. No separators; ``key=value`` for a
  value, the bare key before a structure's content.
* Canonical order: eventTime, eventTimeZoneOffset, certificationInfo, parentID, epcList,
  inputEPCList, childEPCs, quantityList, childQuantityList, inputQuantityList, outputEPCList,
  outputQuantityList, action, transformationID, bizStep, disposition, persistentDisposition
  (set, unset), readPoint, bizLocation, sensorElementList (sensorMetadata, then the reports, each
  field in the order of ``_SENSOR_METADATA``/``_SENSOR_REPORT``). Items of a list are sorted by
  their rendering (case-sensitive code-point order); a business transaction, source or
  destination renders as ``type=…`` then its identifier.
* ``eventID``, ``recordTime``, ``errorDeclaration`` and comments (``comment``, ``rdfs:comment``)
  are not hashed, so an error declaration or a re-sent copy keeps the original's name.
* Values: trimmed; a timestamp field (``eventTime``, ``time``, ``startTime``, ``endTime``) in UTC
  with milliseconds (``2024-05-01T00:30:00.000Z``), the third decimal rounded up when the fourth
  is 5–9; a number without trailing zeros (``200.0`` → ``200``); CBV values (bare word, EPCIS 1.x
  URN or compact IRI) as their GS1 Web URI (``https://ref.gs1.org/cbv/BizStep-shipping``; sensor
  measurement and alert types under ``https://gs1.org/voc/``); compact IRIs (``example:x``)
  expanded with the document's ``@context`` prefixes; EPC URIs (``urn:epc:id:sgtin:…``, EPC class
  and pattern URIs) and GS1 Digital Link URIs as the *constrained canonical* Digital Link:
  ``https://id.gs1.org``, AI numbers not short names, no query string, GTINs of 14 digits, the
  finest identification only (a serial drops the lot, the CPV is dropped).
* User extension names as ``{namespace}localName`` (the prefix resolved through ``@context``),
  nested extensions rendered the same way, their parts sorted; extensions inside readPoint,
  bizLocation, sensorElement, sensorMetadata and sensorReport follow that element's own fields.

Where this deliberately differs from the reference implementation (none of its test vectors is
affected; each difference makes JSON and XML renderings of one event agree, as §8.9 intends):

* a JSON boolean is ``true``/``false`` as in XML (the reference writes Python's ``True``);
* the prefixes the EPCIS 2.0 context itself declares (``gs1``, ``cbv``, ``cbvmda``, …) expand
  without the document repeating them (the reference only knows a document's inline prefixes, so
  ``gs1:Temperature`` stayed unexpanded in ``XML/WithEventHashID/event_with_identical_hash_id_7``);
* an extension inside a sensor element, its metadata or report, readPoint or bizLocation always
  follows that element's fields (the reference did so only for namespaces ending in ``/``);
* a timestamp rounds half up to milliseconds as §8.9 says (the reference rounds half to even),
  a time without offset is read as UTC (the reference used the machine's zone), and a fraction
  that rounds up to the next second carries into it (the reference failed on it);
* a bare word is expanded only in the fields of a CBV or GS1 code list (the reference also
  expanded, say, an extension's value ``x`` wherever another field of the document used the
  component ``x``); a GRAI with a 12-digit company prefix (``urn:epc:id:grai:…..serial``)
  converts like any other (the reference left it as it was);
* a field of a sensor report outside the canonical order (``bizRules``) is rendered with the
  report's extensions (the reference moved it to the end of the event);
* ``null`` values are left out, and the reference's own "ignoreFields" extension is not
  supported; JSON arrays under an extension name ending in ``List`` are not renamed.

Speed: ``bench/epcis_validate.py`` measures it. Cached: canonical values (``_canonical``:
locations, steps and dispositions repeat from event to event), GTINs (``_gtin_or_sscc``: one
product, many serials) and the prefixes of the last ``@context`` seen. Converting the EPCs and
the eventTime is most of the cost, SHA-256 of the few hundred bytes a small part.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache

from tirebrain.products.gtin import check_digit
from tirebrain.trace.cbv import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    COMPONENT,
    CONTEXT_PREFIXES,
    DISPOSITION,
    ERROR_REASON,
    MEASUREMENT_TYPE,
    SENSOR_ALERT_TYPE,
    SOURCE_DESTINATION_TYPE,
    Vocabulary,
)

ALGORITHM_VERSION = "CBV2.0"

#: Fields that name or annotate an event rather than say what happened.
_NOT_HASHED = frozenset(
    {"type", "eventID", "recordTime", "errorDeclaration", "@context", "comment", "rdfs:comment"}
)
_SENSOR_METADATA = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
_SENSOR_REPORT = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_SENSOR_REPORT_VOCABULARIES = {
    "type": MEASUREMENT_TYPE,
    "exception": SENSOR_ALERT_TYPE,
    "component": COMPONENT,
}
_TIME_FIELDS = frozenset({"eventTime", "time", "startTime", "endTime"})
#: EPCIS 1.x URNs of CBV values → their Web URI prefixes (applied to any value, as §8.9 says).
_CBV_URNS = tuple(
    (vocabulary.urn_prefix, vocabulary.web_prefix)
    for vocabulary in (
        BIZ_STEP,
        DISPOSITION,
        BIZ_TRANSACTION_TYPE,
        SOURCE_DESTINATION_TYPE,
        ERROR_REASON,
    )
    if vocabulary.urn_prefix
)


def event_hash_id(event: dict, context: dict | list | str | None = None) -> str:
    """The event's CBV 2.0 Event Hash ID, ``ni:///sha-256;<64 hex>?ver=CBV2.0``.

    ``context`` is the ``@context`` of the document the event came in (its prefixes name the
    extension namespaces); without it the event's own ``@context`` is used."""
    digest = hashlib.sha256(pre_hash_string(event, context).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={ALGORITHM_VERSION}"


def pre_hash_string(event: dict, context: dict | list | str | None = None) -> str:
    """The canonical string :func:`event_hash_id` hashes (see the module docstring)."""
    if context is None:
        context = event.get("@context")
    last_context, prefixes = _last_prefixes
    if context is not last_context:
        prefixes = _prefixes(context)
        _last_prefixes[:] = context, prefixes
    return _PreHash(prefixes).event(event)


#: The prefixes of the last context seen: a document's events share one ``@context`` object, so
#: capture resolves it once per document, not once per event.
_last_prefixes: list = [object(), {}]


def _prefixes(context: dict | list | str | None) -> dict[str, str]:
    """Prefix → namespace IRI: the EPCIS context's own, then the document's inline ones."""
    prefixes = dict(CONTEXT_PREFIXES)
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            prefixes.update(
                (term, iri)
                for term, iri in item.items()
                if isinstance(iri, str) and not term.startswith("@")
            )
    return prefixes


class _PreHash:
    """Renders one event's parts; holds the prefixes the event's names and values expand with."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes

    def event(self, event: dict) -> str:
        parts = [f"eventType={event.get('type', '')}"]
        for name, render in _ORDER:
            if name in event:
                parts.append(render(self, name, event[name]))
        rest: list[str] = []
        for name, value in event.items():
            if name in _ORDERED or name in _NOT_HASHED:
                continue
            if name in _LISTED:
                rest.append(self.typed_list(name, value))
            else:
                rest.extend(self.extension(name, value))
        rest.sort()
        return "".join(parts) + "".join(rest)

    # -- standard fields ------------------------------------------------------------------

    def scalars(self, name: str, value: object) -> str:
        """``name=value``; a list gives one sorted ``name=value`` per item."""
        time = name in _TIME_FIELDS
        if type(value) is not list:
            text = self.value(value, time=time)
            return f"{name}={text}" if text else ""
        texts = (self.value(item, time=time) for item in value)
        return "".join(sorted(f"{name}={text}" for text in texts if text))

    def coded(self, name: str, value: object) -> str:
        """A field whose value comes from a code list (bizStep, disposition, set, unset)."""
        text = self.value(value, vocabulary=_CODED[name])
        return f"{name}={text}" if text else ""

    def identifiers(self, name: str, value: object) -> str:
        items = value if isinstance(value, list) else [value]
        epcs = sorted(f"epc={text}" for text in map(self.value, items) if text)
        return name + "".join(epcs) if epcs else ""

    def quantities(self, name: str, value: object) -> str:
        items = value if isinstance(value, list) else [value]
        elements = sorted(
            "quantityElement" + fields
            for item in items
            if isinstance(item, dict)
            and (fields := self.fields(item, ("epcClass", "quantity", "uom")))
        )
        return name + "".join(elements) if elements else ""

    def persistent_disposition(self, name: str, value: object) -> str:
        if not isinstance(value, dict):
            return ""
        parts = [
            "".join(sorted(self.coded(key, item) for item in _as_list(value.get(key))))
            for key in ("set", "unset")
        ]
        body = "".join(parts)
        return name + body if body else ""

    def location(self, name: str, value: object) -> str:
        if not isinstance(value, dict):
            return ""
        if len(value) == 1 and "id" in value:  # the usual readPoint/bizLocation
            text = self.value(value["id"])
            return f"{name}id={text}" if text else ""
        body = self.fields(value, ("id",)) + self.extensions(value, ("id",))
        return name + body if body else ""

    def sensor_elements(self, name: str, value: object) -> str:
        elements = sorted(
            text
            for item in _as_list(value)
            if isinstance(item, dict)
            if (text := self.sensor_element(item))
        )
        return name + "".join(elements) if elements else ""

    def sensor_element(self, element: dict) -> str:
        parts = []
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, dict):
            body = self.fields(metadata, _SENSOR_METADATA) + self.extensions(
                metadata, _SENSOR_METADATA
            )
            parts.append("sensorMetadata" + body if body else "")
        reports = []
        for report in _as_list(element.get("sensorReport")):
            if isinstance(report, dict):
                body = self.fields(report, _SENSOR_REPORT, _SENSOR_REPORT_VOCABULARIES)
                body += self.extensions(report, _SENSOR_REPORT)
                reports.append("sensorReport" + body if body else "")
        parts.extend(sorted(reports))
        parts.append(self.extensions(element, ("sensorMetadata", "sensorReport")))
        body = "".join(parts)
        return "sensorElement" + body if body else ""

    def typed_list(self, name: str, value: object) -> str:
        """bizTransactionList, sourceList, destinationList: ``type=…`` then the identifier."""
        key, vocabulary = _LISTED[name]
        items = []
        for item in _as_list(value):
            if isinstance(item, dict):
                kind = self.value(item.get("type"), vocabulary=vocabulary)
                ident = self.value(item.get(key))
                rendered = (f"type={kind}" if kind else "") + (f"{key}={ident}" if ident else "")
                if rendered:
                    items.append(rendered)
        return name + "".join(sorted(items)) if items else ""

    def fields(
        self, data: dict, order: tuple[str, ...], vocabularies: dict[str, Vocabulary] | None = None
    ) -> str:
        """The ``key=value`` of ``order``'s fields present in ``data``, in that order."""
        parts = []
        for key in order:
            if key in data:
                vocabulary = vocabularies.get(key) if vocabularies else None
                text = self.value(data[key], time=key in _TIME_FIELDS, vocabulary=vocabulary)
                if text:
                    parts.append(f"{key}={text}")
        return "".join(parts)

    # -- extensions -----------------------------------------------------------------------

    def extensions(self, data: dict, standard: tuple[str, ...]) -> str:
        """The user extensions of a standard element, sorted, after its own fields."""
        rendered = [
            text
            for key, value in data.items()
            if key not in standard and key not in _NOT_HASHED
            for text in self.extension(key, value)
        ]
        return "".join(sorted(rendered))

    def extension(self, key: str, value: object) -> list[str]:
        """One rendering per value (a list gives several): ``{ns}name=value`` or
        ``{ns}name`` followed by its sorted parts."""
        name = self.name(key)
        if isinstance(value, list):
            return [text for item in value for text in self.extension(key, item)]
        if isinstance(value, dict):
            parts = sorted(
                text
                for child, child_value in value.items()
                if child not in _NOT_HASHED
                for text in self.extension(child, child_value)
            )
            return [name + "".join(parts)]
        if value is None:
            return []
        text = self.value(value)
        return [f"{name}={text}" if text else name]

    def name(self, key: str) -> str:
        prefix, colon, local = key.partition(":")
        namespace = self.prefixes.get(prefix) if colon else None
        return f"{{{namespace}}}{local}" if namespace else key

    # -- values ---------------------------------------------------------------------------

    def value(
        self, raw: object, *, time: bool = False, vocabulary: Vocabulary | None = None
    ) -> str:
        """A scalar in its canonical form ("" for none)."""
        if type(raw) is str:
            text = raw.strip()
        elif raw is None or isinstance(raw, dict | list):
            return ""
        elif isinstance(raw, bool):
            return "true" if raw else "false"
        else:
            text = str(raw).strip()
        if not text:
            return ""
        if time:
            return _utc_millis(text)
        prefix, colon, rest = text.partition(":")
        if colon and prefix in self.prefixes:
            text = self.prefixes[prefix] + rest
        if vocabulary is not None:
            text = vocabulary.web_uri(text)
        return _canonical(text)


#: The standard fields in canonical order (CBV 2.0 §8.9), each with its renderer.
_ORDER: tuple[tuple[str, Callable[[_PreHash, str, object], str]], ...] = (
    ("eventTime", _PreHash.scalars),
    ("eventTimeZoneOffset", _PreHash.scalars),
    ("certificationInfo", _PreHash.scalars),
    ("parentID", _PreHash.scalars),
    ("epcList", _PreHash.identifiers),
    ("inputEPCList", _PreHash.identifiers),
    ("childEPCs", _PreHash.identifiers),
    ("quantityList", _PreHash.quantities),
    ("childQuantityList", _PreHash.quantities),
    ("inputQuantityList", _PreHash.quantities),
    ("outputEPCList", _PreHash.identifiers),
    ("outputQuantityList", _PreHash.quantities),
    ("action", _PreHash.scalars),
    ("transformationID", _PreHash.scalars),
    ("bizStep", _PreHash.coded),
    ("disposition", _PreHash.coded),
    ("persistentDisposition", _PreHash.persistent_disposition),
    ("readPoint", _PreHash.location),
    ("bizLocation", _PreHash.location),
    ("sensorElementList", _PreHash.sensor_elements),
)
_ORDERED = frozenset(name for name, _ in _ORDER)
_CODED = {"bizStep": BIZ_STEP, "disposition": DISPOSITION, "set": DISPOSITION, "unset": DISPOSITION}
#: Lists rendered with the extensions, each item as ``type=…`` then its identifier.
_LISTED = {
    "bizTransactionList": ("bizTransaction", BIZ_TRANSACTION_TYPE),
    "sourceList": ("source", SOURCE_DESTINATION_TYPE),
    "destinationList": ("destination", SOURCE_DESTINATION_TYPE),
}


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


@lru_cache(maxsize=8192)
def _canonical(text: str) -> str:
    """CBV URNs as Web URIs, numbers without trailing zeros, GS1 identifiers as Digital Links.

    Cached: locations, steps and dispositions repeat from event to event."""
    if text.startswith("urn:epcglobal:cbv:"):
        for urn, web in _CBV_URNS:
            if text.startswith(urn):
                text = web + text[len(urn) :]
                break
    first = text[0]
    if first.isdigit() or first in "+-.iInN":
        text = _number(text)
    if text.startswith("urn:epc:"):
        return _epc_to_digital_link(text) or text
    if text.startswith("http"):
        return _constrained_digital_link(text) or text
    return text


def _number(text: str) -> str:
    """``200.0`` → ``200``, ``12.10`` → ``12.1``; anything float() does not read unchanged."""
    try:
        number = float(text)
        return str(int(number)) if number == int(number) else str(number)
    except (ValueError, OverflowError):
        return text


def _utc_millis(text: str) -> str:
    """``2005-04-03T20:33:31.1165-06:00`` → ``2005-04-04T02:33:31.117Z``: UTC, milliseconds
    rounded half up (the fourth decimal decides), carried into the second; unparsable unchanged."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = moment.utcoffset()
    if offset is not None:
        moment = moment.replace(tzinfo=None) - offset
    if moment.microsecond % 1000 >= 500:
        moment += timedelta(microseconds=1000 - moment.microsecond % 1000)
    return moment.isoformat(timespec="milliseconds") + "Z"


# -- GS1 identifiers as constrained canonical Digital Link URIs --------------------------------


def _with_check(*parts: str) -> str:
    digits = "".join(parts)
    return digits + check_digit(digits)


@lru_cache(maxsize=4096)
def _gtin_or_sscc(prefix: str, reference: str) -> str:
    """A GTIN-14 (SSCC) from an EPC's company prefix and its indicator digit + item reference
    (extension digit + serial reference): that first digit, the prefix, the rest, a check digit.
    Cached, as a product's many serials share their GTIN."""
    return _with_check(reference[:1], prefix, reference[1:])


_ESCAPES = str.maketrans(
    {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}
)


def _escape(text: str) -> str:
    """Characters a Digital Link path must percent-encode (GS1 Digital Link 1.2 table 7-1) that
    an EPC URI leaves as they are; the EPC URI's own %-escapes stay."""
    return text.translate(_ESCAPES)


_CHAR = r"(?:[!'()*+,\-.0-9:;=A-Za-z_]|%[0-9A-Fa-f]{2})"
_CPI_CHAR = r"(?:[0-9A-Z\-]|%[0-9A-Fa-f]{2})"

#: EPC URI prefix → (body pattern, digits of company prefix + reference, Digital Link path): the
#: EPC, EPC class and EPC pattern URIs of the GS1 Tag Data Standard, each as the GS1 element
#: string it encodes, written as a Digital Link path.
_EPC_SCHEMES: dict[str, tuple[re.Pattern[str], int | None, Callable[..., str]]] = {
    prefix: (re.compile(pattern), digits, path)
    for prefix, pattern, digits, path in (
        (
            "urn:epc:id:sgtin:",
            rf"(\d{{6,12}})\.(\d{{1,7}})\.({_CHAR}{{1,20}})",
            13,
            lambda cp, ref, serial: f"01/{_gtin_or_sscc(cp, ref)}/21/{_escape(serial)}",
        ),
        (
            "urn:epc:id:sscc:",
            r"(\d{6,12})\.(\d{5,11})",
            17,
            lambda cp, ref: f"00/{_gtin_or_sscc(cp, ref)}",
        ),
        (
            "urn:epc:id:sgln:",
            rf"(\d{{6,12}})\.(\d{{0,6}})\.({_CHAR}{{1,20}})",
            12,
            lambda cp, ref, ext: (
                f"414/{_with_check(cp, ref)}" + ("" if ext == "0" else f"/254/{_escape(ext)}")
            ),
        ),
        (
            "urn:epc:id:grai:",
            rf"(\d{{6,12}})\.(\d{{0,6}})\.({_CHAR}{{1,16}})",
            12,
            lambda cp, ref, serial: f"8003/{_with_check('0', cp, ref)}{_escape(serial)}",
        ),
        (
            "urn:epc:id:giai:",
            rf"(\d{{6,12}})\.({_CHAR}{{1,24}})",
            None,
            lambda cp, ref: f"8004/{cp}{_escape(ref)}",
        ),
        (
            "urn:epc:id:gsrn:",
            r"(\d{6,12})\.(\d{5,11})",
            17,
            lambda cp, ref: f"8018/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:id:gsrnp:",
            r"(\d{6,12})\.(\d{5,11})",
            17,
            lambda cp, ref: f"8017/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:id:gdti:",
            rf"(\d{{6,12}})\.(\d{{0,6}})\.({_CHAR}{{0,17}})",
            12,
            lambda cp, ref, serial: f"253/{_with_check(cp, ref)}{_escape(serial)}",
        ),
        (
            "urn:epc:id:cpi:",
            rf"(\d{{6,12}})\.({_CPI_CHAR}{{1,24}})\.(\d{{1,12}})",
            None,
            lambda cp, ref, serial: f"8010/{_escape(cp + ref)}/8011/{serial}",
        ),
        (
            "urn:epc:id:sgcn:",
            r"(\d{6,12})\.(\d{0,6})\.(\d{1,12})",
            12,
            lambda cp, ref, serial: f"255/{_with_check(cp, ref)}{serial}",
        ),
        (
            "urn:epc:id:ginc:",
            rf"(\d{{6,12}})\.({_CHAR}{{1,24}})",
            None,
            lambda cp, ref: f"401/{cp}{_escape(ref)}",
        ),
        (
            "urn:epc:id:gsin:",
            r"(\d{6,12})\.(\d{4,10})",
            16,
            lambda cp, ref: f"402/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:id:itip:",
            rf"(\d{{6,12}})\.(\d{{1,7}})\.(\d\d)\.(\d\d)\.({_CHAR}{{1,20}})",
            13,
            lambda cp, ref, piece, total, serial: (
                f"8006/{_gtin_or_sscc(cp, ref)}{piece}{total}/21/{_escape(serial)}"
            ),
        ),
        (
            "urn:epc:id:upui:",
            rf"(\d{{6,12}})\.(\d{{1,7}})\.({_CHAR}{{1,28}})",
            13,
            lambda cp, ref, tpx: f"01/{_gtin_or_sscc(cp, ref)}/235/{_escape(tpx)}",
        ),
        (
            "urn:epc:id:pgln:",
            r"(\d{6,12})\.(\d{0,6})",
            12,
            lambda cp, ref: f"417/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:class:lgtin:",
            rf"(\d{{6,12}})\.(\d{{1,7}})\.({_CHAR}{{1,20}})",
            13,
            lambda cp, ref, lot: f"01/{_gtin_or_sscc(cp, ref)}/10/{_escape(lot)}",
        ),
        (
            "urn:epc:idpat:sgtin:",
            r"(\d{6,12})\.(\d{1,7})\.\*",
            13,
            lambda cp, ref: f"01/{_gtin_or_sscc(cp, ref)}",
        ),
        (
            "urn:epc:idpat:grai:",
            r"(\d{6,12})\.(\d{0,6})\.\*",
            12,
            lambda cp, ref: f"8003/{_with_check('0', cp, ref)}",
        ),
        (
            "urn:epc:idpat:gdti:",
            r"(\d{6,12})\.(\d{0,6})\.\*",
            12,
            lambda cp, ref: f"253/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:idpat:sgcn:",
            r"(\d{6,12})\.(\d{0,6})\.\*",
            12,
            lambda cp, ref: f"255/{_with_check(cp, ref)}",
        ),
        (
            "urn:epc:idpat:cpi:",
            rf"(\d{{6,12}})\.({_CPI_CHAR}{{1,24}})\.\*",
            None,
            lambda cp, ref: f"8010/{_escape(cp + ref)}",
        ),
        (
            "urn:epc:idpat:itip:",
            r"(\d{6,12})\.(\d{1,7})\.(\d\d)\.(\d\d)\.\*",
            13,
            lambda cp, ref, piece, total: f"8006/{_gtin_or_sscc(cp, ref)}{piece}{total}",
        ),
        (
            "urn:epc:idpat:upui:",
            r"(\d{6,12})\.(\d{1,7})\.\*",
            13,
            lambda cp, ref: f"01/{_gtin_or_sscc(cp, ref)}",
        ),
    )
}


def _epc_to_digital_link(uri: str) -> str | None:
    """An EPC URI as its constrained canonical Digital Link, or None if it is none we read."""
    scheme_end = uri.find(":", uri.find(":", 8) + 1) + 1
    scheme = _EPC_SCHEMES.get(uri[:scheme_end])
    if scheme is None:
        return None
    pattern, digits, path = scheme
    match = pattern.fullmatch(uri, scheme_end)
    if match is None:
        return None
    parts = match.groups()
    if digits is not None and len(parts[0]) + len(parts[1]) != digits:
        return None
    return "https://id.gs1.org/" + path(*parts)


#: Digital Link short names (DL 1.2 §6) → application identifiers.
_DL_KEYS = {
    "00": "00", "sscc": "00", "01": "01", "gtin": "01", "253": "253", "gdti": "253",
    "255": "255", "gcn": "255", "401": "401", "ginc": "401", "402": "402", "gsin": "402",
    "414": "414", "gln": "414", "417": "417", "party": "417", "8003": "8003", "grai": "8003",
    "8004": "8004", "giai": "8004", "8006": "8006", "itip": "8006", "8010": "8010",
    "cpid": "8010", "8017": "8017", "gsrnp": "8017", "8018": "8018", "gsrn": "8018",
}  # fmt: skip
_DL_QUALIFIERS = {"cpv": "22", "lot": "10", "ser": "21"}
_DL_KEY_VALUE = re.compile(r"\d{4}[^/]*", re.ASCII)
_DL_VALUE = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
#: The constrained canonical forms a Digital Link may take in the pre-hash string.
_DL_CANONICAL = re.compile(
    r"https://id\.gs1\.org/(?:"
    r"00/\d{18}"
    rf"|01/\d{{14}}(?:/(?:10|21)/{_DL_VALUE}{{0,20}}|/235/{_DL_VALUE}{{0,28}})?"
    rf"|253/\d{{13}}{_DL_VALUE}{{0,17}}"
    r"|255/\d{13}\d{0,12}"
    rf"|401/{_DL_VALUE}{{0,30}}"
    r"|402/\d{17}"
    rf"|414/\d{{13}}(?:/254/{_DL_VALUE}{{0,20}})?"
    r"|417/\d{13}"
    rf"|8003/\d{{14}}{_DL_VALUE}{{0,16}}"
    rf"|8004/{_DL_VALUE}{{0,30}}"
    rf"|8006/\d{{18}}(?:/(?:10|21)/{_DL_VALUE}{{0,20}})?"
    r"|8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(?:/8011/\d{0,12})?"
    r"|8017/\d{18}"
    r"|8018/\d{18}"
    r")",
    re.ASCII,
)


def _constrained_digital_link(uri: str) -> str | None:
    """A GS1 Digital Link URI on any domain as ``https://id.gs1.org/…`` with AI numbers, no
    query, a 14-digit GTIN and only the finest identification; None if it is no Digital Link."""
    scheme, _, rest = uri.partition("://")
    if scheme not in ("http", "https"):
        return None
    segments = rest.split("?", 1)[0].split("/")[1:]
    for start, segment in enumerate(segments[:-1]):
        key = _DL_KEYS.get(segment)
        if key and _DL_KEY_VALUE.fullmatch(segments[start + 1]):
            break
    else:
        return None
    value, qualifiers = segments[start + 1], segments[start + 2 :]
    if qualifiers and not qualifiers[-1]:
        qualifiers.pop()  # a trailing slash
    if len(qualifiers) % 2:
        return None
    pairs = [
        (_DL_QUALIFIERS.get(ai, ai), qualifier)
        for ai, qualifier in zip(qualifiers[::2], qualifiers[1::2], strict=True)
    ]
    if key == "01" and value.isdigit() and len(value) in (8, 12, 13):
        value = value.zfill(14)
    if key in ("01", "8006"):
        pairs = [(ai, qualifier) for ai, qualifier in pairs if ai != "22"]
        if any(ai == "21" for ai, _ in pairs):
            pairs = [(ai, qualifier) for ai, qualifier in pairs if ai != "10"]
    canonical = f"https://id.gs1.org/{key}/{value}" + "".join(f"/{ai}/{q}" for ai, q in pairs)
    return canonical if _DL_CANONICAL.fullmatch(canonical) else None
