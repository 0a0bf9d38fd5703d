"""EPCIS 2.0 XML capture documents: checked against the official XSD and read into the JSON/JSON-LD
form (EPCIS 2.0 §9 and §10).

Why: many systems still send EPCIS as XML. Capture accepts it by turning the XML into exactly the
dict the equivalent JSON-LD document would be, so one set of CBV rules and one store serve both
bindings, and an event has the same content however it arrived.

API: :func:`parse_xml_document` takes the request body (bytes) and returns an
:class:`XmlDocument`: the JSON-LD document (a ``dict``) that also carries what the XSD found
(``schema_errors``), or raises :class:`XmlDocumentError` (a ``ValueError`` with ``line``,
``element``, a stable ``reason`` code and a translated message) for XML that is no capture
document at all, or that the XSD lets through but the JSON form cannot hold (``value="INF"``,
an element of no namespace inside an ``<extension>`` the XSD leaves open), or that is over
capture's size limit (``limit=``: events, and children of any one element; reasons in
``XmlDocumentError.LIMITS``, answered 413). ``trace.validation`` then applies the CBV rules to
the dict and reports the XSD's findings with them.

Validation: an XML document is checked against the EPCIS 2.0 XML schema
(``standard/xsd/EPCglobal-epcis-2_0.xsd`` and the schemas it imports, vendored unchanged), not
against the JSON Schema: the XSD is the XML binding's normative schema, and GS1's own XML
examples are valid by it while three of them break the stricter JSON Schema once converted
(``persistentDisposition`` on an AggregationEvent, sensor reports without ``type``). Each XSD
error becomes an :class:`~tirebrain.trace.errors.EventError`: the index of its event (the event
elements counted in document order, as ``eventList`` lists them), the event's ``eventID`` if it
has one, a JSON-pointer-like ``field`` (the element's path below the event, in the names and
list positions of the JSON form: ``/sensorElementList/0/sensorReport/1/value``; from the root
for an error outside any event), code ``xsd.<libxml2 error type>`` and libxml2's message with
the line. The schema is compiled once per thread (lxml keeps a validator's error log on the
validator object, so threads sharing one would read each other's errors), one compile at a time
(libxml2's first compile sets up global state); its imports are the vendored files, so nothing
is fetched.

An event the XSD refuses is still converted when it can be, so the CBV rules report on it too;
one too broken to convert (an element the binding does not know) stands in ``eventList`` as a
placeholder ``{"type", "eventID"}`` listed in ``XmlDocument.unread``, reported by its XSD errors
only. Such events are never stored: they carry errors, so ``rollback`` refuses the document and
``proceed`` skips them. A document the XSD refuses as a whole (an error outside any event) is
refused whatever the capture error behaviour, as a JSON document with a document-level error is.

Safety: the XML comes from outside. The parser never loads a DTD, substitutes no entity, uses no
network and keeps libxml2's limits (``huge_tree=False``; libxml2 also stops entity amplification
itself), so no file is read and no bomb expands. On top of that a document whose document type
declaration declares anything (entities, elements) or names an external DTD is refused outright,
with its own message, whether or not it parsed; the bare ``<!DOCTYPE project>`` of the GS1
examples declares nothing and is accepted.

What is accepted: ``epcis:EPCISDocument`` in the 2.0 namespace (``urn:epcglobal:epcis:xsd:2``).
Refused, each with its own message: EPCIS 1.x documents (namespace ``…:xsd:1``; convert them with
GS1's ``convert-1.2-to-2.0.xsl``), query documents, master data documents (master data travels in
the ``EPCISHeader`` of a capture document), capture jobs, a lone event, anything else.

Mapping (the standard's JSON binding, as the GS1 example pairs and OpenEPCIS's converter apply it):

* Document: ``schemaVersion`` and ``creationDate`` from the root's attributes; the SBDH's first
  sender and receiver identifiers and its instance identifier become ``sender``, ``receiver``
  and ``instanceIdentifier`` (the rest of the SBDH is envelope routing with no JSON
  counterpart); ``EPCISHeader``'s master data becomes ``epcisHeader.epcisMasterData``.
* Events: ``type`` is the element name; fields keep their names. ``epcList`` & co. are lists of
  the ``<epc>`` texts; quantity lists are lists of ``{epcClass, quantity, uom}``;
  ``readPoint``/``bizLocation`` are ``{"id": …}``; ``bizTransactionList``, ``sourceList`` and
  ``destinationList`` are lists of ``{"type": …, "bizTransaction"|"source"|"destination": …}``;
  ``correctiveEventIDs`` is a list; ``persistentDisposition`` is ``{"set": […], "unset": […]}``;
  a repeated ``certificationInfo`` becomes a list.
* Values: text is stripped, timestamps are kept as written (the JSON form keeps the lexical
  value). Quantities and the numeric sensor attributes become JSON numbers (an integer when
  written without a point or exponent, else a float: ``26.0`` → ``26.0``, ``200`` → ``200``);
  ``booleanValue`` a boolean. A standard code-list value becomes the bare word the JSON binding
  uses, however the XML spells it (``trace.cbv`` knows the lists and spellings): CBV URNs, Web
  URIs and compact IRIs (``urn:epcglobal:cbv:bizstep:receiving``,
  ``https://ref.gs1.org/cbv/BizStep-receiving`` → ``receiving``) for business steps,
  dispositions, transaction, source/destination and error-reason types and sensor components;
  GS1 Web Vocabulary terms (``gs1:Temperature`` → ``Temperature``) for sensor measurement and
  alert types. Any other value is kept — an unknown ``urn:epcglobal:cbv:…`` for the CBV check to
  refuse, a compact IRI (``example:x``, ``gs1:NotATerm``) with its namespace in ``@context``.
* Extensions: a namespaced element or attribute becomes a key ``prefix:localName``, its
  namespace an ``@context`` entry ``{prefix: namespace}`` (the root's declarations are all
  listed, as the GS1 examples do). The namespaces of the EPCIS context itself (``cbvmda``,
  ``gs1``, ``cbv`` …) keep its prefixes and are not repeated. A prefix already bound to another
  namespace, or one of the context's own, is renamed (``example2``); a default namespace gets
  ``ns1``, ``ns2`` …. An extension element with only text is a string — or a number or boolean
  when ``xsi:type`` says ``xsd:integer``/``decimal``/``double``/``boolean`` & co., as the JSON
  counterpart of the GS1 event-hash examples and OpenEPCIS write them (a JSON number is how
  JSON-LD says xsd:integer; the other GS1 JSON examples write such values as strings). With
  child elements it is an object (a repeated child becomes a list; a child without a namespace
  keeps its bare name, as the XML says). An empty one is left out, as the GS1 JSON examples and
  OpenEPCIS do. XML attributes of an extension element follow OpenEPCIS's convention, so documents
  converted by either tool agree: ``"prefix:name"`` for a namespaced attribute, ``"@name"`` for
  one without, and the element's text under ``"value"``.
* EPCIS 1.x-style ``<extension>`` and ``<baseExtension>`` wrappers are transparent: what they
  hold is read as if it stood in their parent, so ``eventID`` inside ``baseExtension`` and user
  elements inside ``extension`` land where the 2.0 JSON puts them.
* An element the binding does not define where it stands is neither passed on nor dropped.
  The XSD refuses most (a misspelt ``<bizstep>``, a namespaced ``<epcis:eventTime>``), and the
  event becomes a placeholder; one the XSD lets through (an element of no namespace inside an
  ``<extension>`` it leaves open) is refused here with its line.

Speed: lxml builds the tree in one pass, libxml2 validates it against the XSD (in C, about as
long as the parse; validation then skips the JSON Schema, which took as long again), then a
plain walk reads it with a dispatch table per element type; extension keys are cached per tag
and ``xsi:type`` prefixes per document (lxml's ``nsmap`` is costly). Errors are only mapped to
events for a document that fails the XSD. Only a document that fails to parse is read a second
time, up to its root element, to see whether a DTD is why. ``bench/epcis_xml.py`` measures it.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable, Iterable

from django.utils.translation import gettext, gettext_noop
from lxml import etree

from tirebrain.trace import cbv
from tirebrain.trace.cbv import CONTEXT_PREFIXES, STANDARD_DIR
from tirebrain.trace.errors import EventError

EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

_EPCIS1_NS = "urn:epcglobal:epcis:xsd:1"
_SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_SBDH_TAG = f"{{{_SBDH_NS}}}StandardBusinessDocumentHeader"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"
_XSI = f"{{{_XSI_NS}}}"
_XSI_TYPE = f"{_XSI}type"
_XSI_NIL = f"{_XSI}nil"
#: Namespaces of the EPCIS XML documents themselves: never keys, never in @context.
_STRUCTURAL = frozenset(
    {
        EPCIS_NS,
        _EPCIS1_NS,
        "urn:epcglobal:epcis-query:xsd:2",
        "urn:epcglobal:epcis-query:xsd:1",
        "urn:epcglobal:epcis-masterdata:xsd:2",
        "urn:epcglobal:epcis-masterdata:xsd:1",
        "urn:epcglobal:xsd:1",
        _SBDH_NS,
        _XSI_NS,
    }
)

# XML writes the EPCIS context's namespaces without the JSON-LD separator
# (``urn:epcglobal:cbv:mda``), and they keep the context's prefixes.
_STANDARD_BY_NS = {uri.rstrip("/#:"): prefix for prefix, uri in CONTEXT_PREFIXES.items()}
# Terms of the context a user prefix must not take.
_RESERVED_PREFIXES = frozenset(CONTEXT_PREFIXES) | {"id", "type", "baseURL"}
_ABSOLUTE = ("urn:", "http://", "https://")

EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
_WRAPPERS = frozenset({"extension", "baseExtension"})
# Field names the JSON binding spells differently from the XML element.
_JSON_KEYS = {
    "EPCISBody": "epcisBody",
    "EventList": "eventList",
    "EPCISMasterData": "epcisMasterData",
    "VocabularyList": "vocabularyList",
    "VocabularyElementList": "vocabularyElementList",
    "attribute": "attributes",
}
_LISTED = frozenset({"sensorReport", "attribute"})  # repeated elements the JSON lists
_MAY_REPEAT = frozenset({"certificationInfo"})  # one value, or a list when repeated

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
_XSD_INTEGERS = frozenset(
    {
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    }
)
_XSD_NUMBERS = frozenset({"decimal", "double", "float"})

_PROBLEMS = {
    "empty": gettext_noop("the document is empty"),
    "not_well_formed": gettext_noop("the XML is not well-formed: %(detail)s"),
    "dtd": gettext_noop(
        "a document type declaration that declares entities or elements, or names an external "
        "DTD, is not accepted"
    ),
    "epcis_1": gettext_noop(
        "this is an EPCIS 1.x document; only EPCIS 2.0 XML (namespace urn:epcglobal:epcis:xsd:2) "
        "is accepted — convert it with GS1's convert-1.2-to-2.0.xsl first"
    ),
    "query_document": gettext_noop(
        "this is an EPCIS query document (query results), not a document to capture"
    ),
    "master_data_document": gettext_noop(
        "this is an EPCIS master data document; send master data in the EPCISHeader of an "
        "EPCISDocument"
    ),
    "capture_job": gettext_noop(
        "this is a capture job (the answer to a capture), not a document to capture"
    ),
    "single_event": gettext_noop(
        "a single event is not an EPCIS document; put it in epcis:EPCISDocument/EPCISBody/EventList"
    ),
    "not_epcis": gettext_noop(
        "this is not an EPCIS document (expected epcis:EPCISDocument in the namespace "
        "urn:epcglobal:epcis:xsd:2)"
    ),
    "missing_body": gettext_noop("the document has no EPCISBody"),
    "too_many_events": gettext_noop(
        "it holds %(count)d events; one capture takes at most %(limit)d, so send them in several "
        "documents"
    ),
    "too_many_children": gettext_noop(
        "this element holds more than %(limit)d elements, more than one capture takes"
    ),
    "unexpected_element": gettext_noop("this element is not expected inside <%(parent)s>"),
    "qualified_element": gettext_noop(
        "EPCIS 2.0 XML writes this element without a namespace prefix"
    ),
    "repeated_element": gettext_noop("this element appears more than once"),
    "not_a_number": gettext_noop("“%(value)s” is not a number"),
    "not_an_integer": gettext_noop("“%(value)s” is not an integer"),
    "not_a_boolean": gettext_noop("“%(value)s” is not a boolean (true, false, 1 or 0)"),
}


class XmlDocumentError(ValueError):
    """An XML document capture cannot take: what is wrong (``reason``), the line and element.

    ``line`` is the 1-based line of the offending element (libxml2's: the line its start tag
    ends on) or of the syntax error; ``element`` is its name as written (``ObjectEvent``,
    ``example:field``), or ``""`` when the problem is the document as a whole.
    """

    #: The reasons that are a capture limit (answered 413), not a malformed document.
    LIMITS = frozenset({"too_many_events", "too_many_children"})

    def __init__(self, reason: str, line: int | None = None, element: str = "", **params) -> None:
        self.reason = reason
        self.line = line
        self.element = element
        self.params = params
        problem = gettext(_PROBLEMS[reason]) % params if params else gettext(_PROBLEMS[reason])
        where = {"line": line, "element": element, "problem": problem}
        if line is None:
            message = gettext("The XML document cannot be read: %(problem)s.") % where
        elif element:
            message = gettext("Line %(line)d, <%(element)s>: %(problem)s.") % where
        else:
            message = gettext("Line %(line)d: %(problem)s.") % where
        super().__init__(message)


class XmlDocument(dict):
    """The JSON-LD form of an XML capture document — to every reader a plain ``dict`` — with
    what the XSD found in the XML.

    ``schema_errors``: the XSD's errors, in document order (empty when the XML is valid).
    ``unread``: the indexes of the events too broken to convert, which stand in ``eventList``
    as placeholders (each has XSD errors). Kept on the document itself so that it travels
    through capture unchanged; a copy made with ``dict(…)`` is a JSON document again and gets
    the JSON Schema.
    """

    __slots__ = ("schema_errors", "unread")

    def __init__(
        self, document: dict, schema_errors: Iterable[EventError], unread: Iterable[int] = ()
    ) -> None:
        super().__init__(document)
        self.schema_errors = tuple(schema_errors)
        self.unread = frozenset(unread)


def parse_xml_document(data: bytes, *, limit: int | None = None) -> XmlDocument:
    """An EPCIS 2.0 XML capture document, checked against the XSD and converted; raises
    :class:`XmlDocumentError` for XML that is not one (see the module docstring).

    ``limit`` (capture's limit on events per document) is checked before the XSD: on the number
    of events and on the children of every element (see :func:`_refuse_oversized`)."""
    root = _parse(data)
    if limit is not None:
        _refuse_oversized(root, limit)
    errors = _schema_errors(root)
    reader = _Reader(root, broken={error.event_index for error in errors})
    try:
        document = reader.document()
    except XmlDocumentError:
        # Failed outside the events: if the XSD refuses the document as a whole, nothing will
        # be stored and its errors say why, so the events are only counted.
        if not any(error.event_index is None for error in errors):
            raise
        document = reader.placeholders()
    return XmlDocument(document, errors, reader.unread)


# ---------------------------------------------------------------------------------------------
# Parsing


_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _parse(data: bytes) -> etree._Element:
    if not data or data.isspace():
        raise XmlDocumentError("empty")
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        # libxml2 stops an entity bomb itself; say that its DTD is what is refused.
        _refuse_declared_dtd(data)
        raise XmlDocumentError("not_well_formed", exc.lineno, detail=exc.msg) from None
    _refuse_dtd(root.getroottree().docinfo, root.sourceline)
    _check_root(root)
    return root


def _refuse_declared_dtd(data: bytes) -> None:
    """Refuse ``data`` for its DTD if it declares one, reading no further than the root's start
    tag (where the DTD is complete); for documents that failed to parse."""
    events = etree.iterparse(io.BytesIO(data), events=("start",), **_PARSER_OPTIONS)
    try:
        for _event, root in events:
            _refuse_dtd(root.getroottree().docinfo, root.sourceline)
            return
    except etree.XMLSyntaxError:
        return


def _refuse_dtd(docinfo, line: int | None) -> None:
    dtd = docinfo.internalDTD
    declares = dtd is not None and (any(dtd.iterentities()) or any(dtd.iterelements()))
    if declares or docinfo.system_url or docinfo.public_id:
        raise XmlDocumentError("dtd", line)


def _check_root(root: etree._Element) -> None:
    namespace, name = _split(root.tag)
    if namespace == EPCIS_NS and name == "EPCISDocument":
        return
    if namespace == _EPCIS1_NS:
        reason = "epcis_1"
    elif name == "EPCISQueryDocument":
        reason = "query_document"
    elif name == "EPCISMasterDataDocument":
        reason = "master_data_document"
    elif name == "EPCISCaptureJob":
        reason = "capture_job"
    elif name in EVENT_TYPES:
        reason = "single_event"
    else:
        reason = "not_epcis"
    raise XmlDocumentError(reason, root.sourceline, _name(root))


def _split(tag: str) -> tuple[str | None, str]:
    if tag[0] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _name(elem: etree._Element) -> str:
    """The element's name as the document writes it, for messages."""
    local = _split(elem.tag)[1]
    return f"{elem.prefix}:{local}" if elem.prefix else local


def _text(elem: etree._Element) -> str:
    return (elem.text or "").strip()


def _number(text: str, elem: etree._Element) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise XmlDocumentError("not_a_number", elem.sourceline, _name(elem), value=text)
    if _INTEGER.fullmatch(text):
        return int(text)
    value = float(text)
    if not math.isfinite(value):  # 1e999: JSON has no infinity
        raise XmlDocumentError("not_a_number", elem.sourceline, _name(elem), value=text)
    return value


def _boolean(text: str, elem: etree._Element) -> bool:
    try:
        return _BOOLEANS[text]
    except KeyError:
        raise XmlDocumentError("not_a_boolean", elem.sourceline, _name(elem), value=text) from None


# ---------------------------------------------------------------------------------------------
# The XSD

_XSD_FILE = STANDARD_DIR / "xsd" / "EPCglobal-epcis-2_0.xsd"
_per_thread = threading.local()
#: libxml2 sets up its built-in XSD types on the first compile, and two threads compiling at
#: once can break each other's ("the given type is not a built-in type"): one compile at a time.
_compiling = threading.Lock()

#: Elements whose children are the items of a JSON list: a child's pointer is its position.
_LIST_ELEMENTS = frozenset(
    {
        "EventList",
        "epcList",
        "childEPCs",
        "inputEPCList",
        "outputEPCList",
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "correctiveEventIDs",
        "children",
        "VocabularyList",
        "VocabularyElementList",
    }
)
#: Repeated elements the JSON gathers in a list under their own name.
_REPEATED = _LISTED | {"set", "unset"}
#: What a message names below the element: an attribute, or the one child that is missing.
_NAMED_IN_MESSAGE = (
    re.compile(r"Element '[^']*', attribute '(?:\{[^}]*\})?([^']+)'"),
    re.compile(r"The attribute '(?:\{[^}]*\})?([^']+)' is required but missing"),
    re.compile(r"Missing child element\(s\)\. Expected is \( (?:\{[^}]*\})?([^\s,()]+) \)"),
)
_PATH_STEP = re.compile(r"(.+?)(?:\[(\d+)\])?")


def _schema() -> etree.XMLSchema:
    """The EPCIS 2.0 XSD, compiled on first use in each thread (see the module docstring)."""
    schema = getattr(_per_thread, "schema", None)
    if schema is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        with _compiling:
            schema = etree.XMLSchema(etree.parse(str(_XSD_FILE), parser))
        _per_thread.schema = schema
    return schema


def _schema_errors(root: etree._Element) -> list[EventError]:
    """The XSD's errors in the document, each with its event and field."""
    schema = _schema()
    if schema.validate(root):
        return []
    events = _event_elements(root)
    index_of = {elem: index for index, elem in enumerate(events)}
    places = _Places(root)
    template = gettext("Line %(line)d, EPCIS 2.0 XML schema: %(detail)s")
    errors = []
    for entry in schema.error_log:
        elem = places.element(entry.path)
        chain = [elem, *elem.iterancestors()]
        index = next((index_of[node] for node in chain if node in index_of), None)
        base = root if index is None else events[index]
        below = reversed(chain[: chain.index(base)])
        message = template % {"line": entry.line, "detail": entry.message}
        errors.append(
            EventError(
                event_index=index,
                event_id=None if index is None else _event_id(base),
                field=places.pointer(below, elem, entry.message),
                code="xsd." + entry.type_name.removeprefix("SCHEMAV_").lower(),
                message=message,
            )
        )
    return errors


def _refuse_oversized(root: etree._Element, limit: int) -> None:
    """Refuse a document with more than ``limit`` events, or an element with more than
    ``limit`` children, before the XSD sees it.

    Why: libxml2 names each XSD error by the element's path, which it finds by counting the
    element's preceding siblings, so the errors of a list of n bad items cost n² (measured:
    10,000 bad quantities 0.5 s, 40,000 6 s; the million that 32 MB can hold would take about
    an hour). Lists no longer than the events a capture takes (10,000 by default) bound a
    document crafted to fail everywhere to some 20 s per 32 MB. The check is one pass over the
    tree, 5–10 % of the conversion's time."""
    count = len(_event_elements(root))
    if count > limit:
        raise XmlDocumentError("too_many_events", count=count, limit=limit)
    for elem in root.iter():
        if len(elem) > limit:
            raise XmlDocumentError("too_many_children", elem.sourceline, _name(elem), limit=limit)


def _event_elements(root: etree._Element) -> list[etree._Element]:
    """The event elements in the order ``eventList`` lists them (:meth:`_Reader.event_list`)."""
    found: list[etree._Element] = []

    def collect(parent: etree._Element) -> None:
        for child in parent:
            if child.tag in EVENT_TYPES:
                found.append(child)
            elif child.tag == "extension":
                collect(child)

    event_list = root.find("EPCISBody/EventList")
    if event_list is not None:
        collect(event_list)
    return found


class _Places:
    """Where in one document libxml2's errors are. Each parent's children are listed (by name,
    or by position) once, so that ten thousand errors in ten thousand events cost one pass over
    the EventList, not one each."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._named: dict[tuple[etree._Element, str], list[etree._Element]] = {}
        self._positions: dict[tuple[etree._Element, str | None], dict] = {}

    def element(self, path: str | None) -> etree._Element:
        """The element at libxml2's path of an error (``/epcis:EPCISDocument/…/ObjectEvent[2]``:
        names as written, ``*`` for an element in a default namespace, ``[n]`` counting the
        siblings of that name); as far as it can be followed."""
        node = self.root
        for step in (path or "").split("/")[2:]:
            name, position = _PATH_STEP.fullmatch(step).groups()
            same = self._named.get((node, name))
            if same is None:
                same = [child for child in node if name == "*" or _path_name(child) == name]
                self._named[node, name] = same
            n = int(position or 1) - 1
            if n >= len(same):
                break
            node = same[n]
        return node

    def position(self, node: etree._Element, tag: str | None = None) -> int:
        """``node``'s position among its parent's children, or among those tagged ``tag``."""
        parent = node.getparent()
        positions = self._positions.get((parent, tag))
        if positions is None:
            children = [child for child in parent if tag is None or child.tag == tag]
            positions = self._positions[parent, tag] = {c: i for i, c in enumerate(children)}
        return positions[node]

    def pointer(self, below: Iterable[etree._Element], elem: etree._Element, message: str) -> str:
        """The JSON-pointer-like path of ``elem`` through ``below`` (its ancestors below the
        event or root, top down, then itself), in the JSON form's names and list positions; an
        attribute or a single missing child the message names is added at the end."""
        parts = []
        for node in below:
            name = _name(node)
            if node.tag in _WRAPPERS and node is not elem:
                continue  # transparent, as in the conversion
            if node.getparent().tag in _LIST_ELEMENTS:
                parts.append(str(self.position(node)))
            elif node.tag in _REPEATED:
                parts += [_JSON_KEYS.get(name, name), str(self.position(node, node.tag))]
            else:
                parts.append(_JSON_KEYS.get(name, name))
        for pattern in _NAMED_IN_MESSAGE:
            found = pattern.search(message)
            if found:
                parts.append(_JSON_KEYS.get(found[1], found[1]))
                break
        return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _path_name(elem: etree._Element) -> str | None:
    if not isinstance(elem.tag, str):
        return None
    namespace, local = _split(elem.tag)
    if namespace is None:
        return local
    return f"{elem.prefix}:{local}" if elem.prefix else "*"


def _event_id(event: etree._Element) -> str | None:
    found = event.findtext("eventID")
    if found is None:
        found = event.findtext("baseExtension/eventID")
    return found.strip() if found else None


def _placeholder(event: etree._Element) -> dict:
    """What stands in ``eventList`` for an event too broken to convert."""
    event_id = _event_id(event)
    return {"type": event.tag, **({"eventID": event_id} if event_id else {})}


# ---------------------------------------------------------------------------------------------
# Namespaces → JSON-LD prefixes


class _Namespaces:
    """The JSON-LD prefix standing for each XML namespace, and the @context entries they need."""

    def __init__(self) -> None:
        self._prefix: dict[str, str] = {}  # namespace → prefix
        self._taken: set[str] = set(_RESERVED_PREFIXES)
        self.added: list[tuple[str, str]] = []  # (prefix, namespace) for @context, in order

    def prefix(self, namespace: str, hint: str | None) -> str:
        found = self._prefix.get(namespace)
        if found is None:
            found = _STANDARD_BY_NS.get(namespace.rstrip("/#:")) or self._new(namespace, hint)
            self._prefix[namespace] = found
        return found

    def _new(self, namespace: str, hint: str | None) -> str:
        if hint and hint not in self._taken:
            prefix = hint
        else:
            base, n = (hint, 2) if hint else ("ns", 1)
            while f"{base}{n}" in self._taken:
                n += 1
            prefix = f"{base}{n}"
        self._taken.add(prefix)
        self.added.append((prefix, namespace))
        return prefix

    def context(self) -> list:
        return [EPCIS_CONTEXT, *({prefix: namespace} for prefix, namespace in self.added)]


# ---------------------------------------------------------------------------------------------
# The document walk

Handler = Callable[["_Reader", etree._Element], object]


def _vocabulary(vocabulary: cbv.Vocabulary) -> Handler:
    return lambda reader, elem: reader.vocabulary(_text(elem), elem, vocabulary)


class _Reader:
    """Walks one parsed document; holds the namespaces its keys use."""

    def __init__(self, root: etree._Element, broken: Iterable[int | None] = ()) -> None:
        self.root = root
        self.broken = frozenset(broken)  # events with XSD errors: may become placeholders
        self.events: list[dict] = []
        self.unread: set[int] = set()  # the events that did
        self.namespaces = _Namespaces()
        self._keys: dict[str, str] = {}  # "{namespace}local" → "prefix:local"
        self._xsd_types: dict[str, str] = {}  # xsi:type as written → XSD type name, or ""

    # -- generic -------------------------------------------------------------------------------

    def key(self, tag: str, elem: etree._Element) -> str:
        """The JSON key of a namespaced element or attribute name (``{ns}local``)."""
        found = self._keys.get(tag)
        if found is None:
            namespace, local = _split(tag)
            hint = elem.prefix if elem.tag == tag else _declared_prefix(elem, namespace)
            found = self._keys[tag] = f"{self.namespaces.prefix(namespace, hint)}:{local}"
        return found

    def fields(self, elem: etree._Element, handlers: dict[str, Handler], out: dict) -> dict:
        """Read ``elem``'s children into ``out``: EPCIS fields by ``handlers``, the rest as
        extensions; ``extension``/``baseExtension`` wrappers are read as if not there."""
        for child in elem:
            tag = child.tag
            handler = handlers.get(tag)
            if handler is not None:
                value = handler(self, child)
                if value is None:
                    continue
                key = _JSON_KEYS.get(tag, tag)
                if tag in _LISTED:
                    out.setdefault(key, []).append(value)
                elif key not in out:
                    out[key] = value
                elif tag in _MAY_REPEAT:
                    _put(out, key, value)
                else:
                    raise XmlDocumentError("repeated_element", child.sourceline, _name(child))
            elif tag[0] == "{":
                if _split(tag)[0] in _STRUCTURAL:
                    raise XmlDocumentError("qualified_element", child.sourceline, _name(child))
                _put(out, self.key(tag, child), self.extension(child))
            elif tag in _WRAPPERS:
                self.fields(child, handlers, out)
            else:
                raise XmlDocumentError(
                    "unexpected_element", child.sourceline, tag, parent=_name(elem)
                )
        return out

    def items(self, elem: etree._Element, name: str, read: Handler) -> list:
        """The ``<name>`` children of a list element, each read by ``read``."""
        found = []
        for child in elem:
            if child.tag != name:
                raise XmlDocumentError(
                    "unexpected_element", child.sourceline, _name(child), parent=_name(elem)
                )
            found.append(read(self, child))
        return found

    def attributes(self, elem: etree._Element, readers: dict | None, out: dict) -> dict:
        """``elem``'s attributes into ``out``: namespaced ones as ``prefix:name`` strings; the
        others by ``readers`` (EPCIS elements) or as ``@name`` (extension elements)."""
        for name, value in elem.attrib.items():
            if name[0] == "{":
                if not name.startswith(_XSI):
                    out[self.key(name, elem)] = value
            elif readers is None:
                out[f"@{name}"] = value
            else:
                read = readers.get(name)
                out[name] = read(self, value.strip(), elem) if read else value.strip()
        return out

    def extension(self, elem: etree._Element, *, own_attributes: bool = True):
        """A user extension element: its text, typed by ``xsi:type``, or an object; ``None``
        when it is empty."""
        names = elem.keys()
        declared = elem.get(_XSI_TYPE) if _XSI_TYPE in names else None
        attributed = own_attributes and any(not name.startswith(_XSI) for name in names)
        if not len(elem):
            text = _text(elem)
            if not attributed:
                return self.typed(text, elem, declared) if text else None
            out = self.attributes(elem, None, {})
        else:
            out = self.attributes(elem, None, {}) if attributed else {}
            texts = [elem.text or ""]
            for child in elem:
                tag = child.tag
                _put(out, self.key(tag, child) if tag[0] == "{" else tag, self.extension(child))
                texts.append(child.tail or "")
            text = "".join(texts).strip()
        if text:
            _put(out, "value", self.typed(text, elem, declared))
        return out

    def typed(self, text: str, elem: etree._Element, declared: str | None):
        """Extension text as its ``xsi:type`` (``declared``) types it: numbers and booleans;
        anything else stays the string. The type's prefix is resolved once per document (a
        document that binds ``xsd`` to two namespaces gets the first binding)."""
        if declared is None:
            return text
        local = self._xsd_types.get(declared)
        if local is None:
            prefix, _, name = declared.strip().rpartition(":")
            is_xsd = elem.nsmap.get(prefix or None) == _XSD_NS
            local = self._xsd_types[declared] = name if is_xsd else ""
        if local in _XSD_INTEGERS:
            if not _INTEGER.fullmatch(text):
                raise XmlDocumentError("not_an_integer", elem.sourceline, _name(elem), value=text)
            return int(text)
        if local in _XSD_NUMBERS:
            return _number(text, elem)
        if local == "boolean":
            return _boolean(text, elem)
        return text

    def vocabulary(self, value: str, elem: etree._Element, vocabulary: cbv.Vocabulary) -> str:
        """A code-list value as the JSON binding writes it: a standard value as its bare word,
        however spelt (URN, Web URI, compact IRI with any prefix the document binds to the GS1
        namespace); another compact IRI with the prefix its namespace has in ``@context``; any
        other value as written."""
        prefix, colon, rest = value.partition(":")
        namespace = None
        if colon and not value.startswith(_ABSOLUTE):
            namespace = elem.nsmap.get(prefix) or CONTEXT_PREFIXES.get(prefix)
        word = vocabulary.bare(namespace + rest if namespace else value)
        if word is not None:
            return word
        return f"{self.namespaces.prefix(namespace, prefix)}:{rest}" if namespace else value

    # -- document ------------------------------------------------------------------------------

    def document(self) -> dict:
        root = self.root
        for prefix, namespace in root.nsmap.items():
            if namespace not in _STRUCTURAL:
                self.namespaces.prefix(namespace, prefix)
        head = self.attributes(root, {}, {"type": "EPCISDocument"})
        parts = self.fields(root, _DOCUMENT, {})
        if "epcisBody" not in parts:
            raise XmlDocumentError("missing_body", root.sourceline, _name(root))
        header = parts.pop("EPCISHeader", {})
        body = parts.pop("epcisBody")
        return {
            "@context": self.namespaces.context(),
            **head,
            **header,
            **parts,
            "epcisBody": body,
        }

    def header(self, elem: etree._Element) -> dict:
        """The SBDH's document-level fields, and ``epcisHeader`` when there is master data."""
        fields = self.fields(elem, _HEADER, {})
        out = fields.pop(_SBDH_TAG, {})
        if fields:
            out["epcisHeader"] = fields
        return out

    def body(self, elem: etree._Element) -> dict:
        out = self.fields(elem, _BODY, {})
        out.setdefault("eventList", [])
        return out

    def event_list(self, elem: etree._Element) -> list:
        for child in elem:
            tag = child.tag
            if tag in EVENT_TYPES:
                self.events.append(self.event(child))
            elif tag == "extension":  # EPCIS 1.x put TransformationEvent here
                self.event_list(child)
            else:
                raise XmlDocumentError(
                    "unexpected_element", child.sourceline, _name(child), parent=_name(elem)
                )
        return self.events

    def event(self, elem: etree._Element) -> dict:
        """One event; a placeholder instead if the XSD refused it and it cannot be read."""
        try:
            return self.attributes(elem, {}, self.fields(elem, _EVENT, {"type": elem.tag}))
        except XmlDocumentError:
            index = len(self.events)
            if index not in self.broken:
                raise
            self.unread.add(index)
            return _placeholder(elem)

    def placeholders(self) -> dict:
        """A document the XSD refused as a whole and that cannot be read: its events counted,
        each as a placeholder."""
        events = _event_elements(self.root)
        self.unread = set(range(len(events)))
        return {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "epcisBody": {"eventList": [_placeholder(event) for event in events]},
        }

    # -- event fields --------------------------------------------------------------------------

    def epcs(self, elem: etree._Element) -> list[str]:
        return self.items(elem, "epc", _text_field)

    def quantities(self, elem: etree._Element) -> list[dict]:
        return self.items(elem, "quantityElement", _Reader.quantity)

    def quantity(self, elem: etree._Element) -> dict:
        return self.fields(elem, _QUANTITY, {})

    def location(self, elem: etree._Element) -> dict:
        return self.fields(elem, _LOCATION, {})

    def biz_transactions(self, elem: etree._Element) -> list[dict]:
        return self.items(elem, "bizTransaction", _BIZ_TRANSACTION)

    def sources(self, elem: etree._Element) -> list[dict]:
        return self.items(elem, "source", _SOURCE)

    def destinations(self, elem: etree._Element) -> list[dict]:
        return self.items(elem, "destination", _DESTINATION)

    def sensor_elements(self, elem: etree._Element) -> list[dict]:
        return self.items(
            elem, "sensorElement", lambda reader, child: reader.fields(child, _SENSOR, {})
        )

    def persistent_disposition(self, elem: etree._Element) -> dict:
        out: dict[str, list[str]] = {}
        for child in elem:
            if child.tag not in ("set", "unset"):
                raise XmlDocumentError(
                    "unexpected_element", child.sourceline, _name(child), parent=_name(elem)
                )
            word = self.vocabulary(_text(child), child, cbv.DISPOSITION)
            out.setdefault(child.tag, []).append(word)
        return out

    def error_declaration(self, elem: etree._Element) -> dict:
        return self.fields(elem, _ERROR_DECLARATION, {})

    def ilmd(self, elem: etree._Element) -> dict:
        return self.fields(elem, {}, {})

    # -- master data ---------------------------------------------------------------------------

    def vocabulary_list(self, elem: etree._Element) -> list[dict]:
        return self.items(
            elem,
            "Vocabulary",
            lambda reader, child: reader.fields(
                child, _VOCABULARY, reader.attributes(child, {}, {})
            ),
        )

    def vocabulary_elements(self, elem: etree._Element) -> list[dict]:
        return self.items(elem, "VocabularyElement", _Reader.vocabulary_element)

    def vocabulary_element(self, elem: etree._Element) -> dict:
        return self.fields(elem, _VOCABULARY_ELEMENT, self.attributes(elem, {}, {}))

    def master_data_attribute(self, elem: etree._Element) -> dict:
        value = self.extension(elem, own_attributes=False)
        return {"id": elem.get("id", "").strip(), "attribute": "" if value is None else value}


def _declared_prefix(elem: etree._Element, namespace: str | None) -> str | None:
    for prefix, declared in elem.nsmap.items():
        if declared == namespace and prefix:
            return prefix
    return None


def _put(out: dict, key: str, value) -> None:
    """Add ``value`` under ``key``; a repeated key collects its values in a list; ``None``
    (an empty extension element) is left out."""
    if value is None:
        return
    if key not in out:
        out[key] = value
    elif isinstance(out[key], list):
        out[key].append(value)
    else:
        out[key] = [out[key], value]


def _typed_reference(vocabulary: cbv.Vocabulary, field: str) -> Handler:
    """``<bizTransaction type="…">…</…>`` and the like: ``{"type": …, field: …}``."""

    def read(reader: _Reader, elem: etree._Element) -> dict:
        out = {}
        declared = elem.get("type")
        if declared is not None:
            out["type"] = reader.vocabulary(declared.strip(), elem, vocabulary)
        out[field] = _text(elem)
        return out

    return read


def _sbdh(elem: etree._Element) -> dict:
    """``sender``, ``receiver`` and ``instanceIdentifier`` from a Standard Business Document
    Header."""
    s = f"{{{_SBDH_NS}}}"
    out = {}
    for key, path in (
        ("sender", f"{s}Sender/{s}Identifier"),
        ("receiver", f"{s}Receiver/{s}Identifier"),
        ("instanceIdentifier", f"{s}DocumentIdentification/{s}InstanceIdentifier"),
    ):
        found = elem.find(path)
        if found is not None:
            out[key] = _text(found)
    return out


def _quantity_value(_reader: _Reader, elem: etree._Element) -> int | float | None:
    if elem.get(_XSI_NIL, "").strip() in ("true", "1"):
        return None
    return _number(_text(elem), elem)


def _text_field(_reader: _Reader, elem: etree._Element) -> str:
    return _text(elem)


def _number_attribute(_reader: _Reader, value: str, elem: etree._Element) -> int | float:
    return _number(value, elem)


def _boolean_attribute(_reader: _Reader, value: str, elem: etree._Element) -> bool:
    return _boolean(value, elem)


def _vocabulary_attribute(vocabulary: cbv.Vocabulary):
    return lambda reader, value, elem: reader.vocabulary(value, elem, vocabulary)


_BIZ_TRANSACTION = _typed_reference(cbv.BIZ_TRANSACTION_TYPE, "bizTransaction")
_SOURCE = _typed_reference(cbv.SOURCE_DESTINATION_TYPE, "source")
_DESTINATION = _typed_reference(cbv.SOURCE_DESTINATION_TYPE, "destination")
_DOCUMENT: dict[str, Handler] = {"EPCISHeader": _Reader.header, "EPCISBody": _Reader.body}
_BODY: dict[str, Handler] = {"EventList": _Reader.event_list}
_HEADER: dict[str, Handler] = {
    _SBDH_TAG: lambda _reader, elem: _sbdh(elem),
    "EPCISMasterData": lambda reader, elem: reader.fields(elem, _MASTER_DATA, {}),
}
_MASTER_DATA: dict[str, Handler] = {"VocabularyList": _Reader.vocabulary_list}
_VOCABULARY: dict[str, Handler] = {"VocabularyElementList": _Reader.vocabulary_elements}
_VOCABULARY_ELEMENT: dict[str, Handler] = {
    "attribute": _Reader.master_data_attribute,
    "children": lambda reader, elem: reader.items(elem, "id", _text_field),
}
_QUANTITY: dict[str, Handler] = {
    "epcClass": _text_field,
    "quantity": _quantity_value,
    "uom": _text_field,
}
_LOCATION: dict[str, Handler] = {"id": _text_field}
_ERROR_DECLARATION: dict[str, Handler] = {
    "declarationTime": _text_field,
    "reason": _vocabulary(cbv.ERROR_REASON),
    "correctiveEventIDs": lambda reader, elem: reader.items(elem, "correctiveEventID", _text_field),
}
_SENSOR_METADATA: dict = {}  # all its attributes are strings
_SENSOR_REPORT = {
    **dict.fromkeys(
        ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"),
        _number_attribute,
    ),
    "booleanValue": _boolean_attribute,
    "type": _vocabulary_attribute(cbv.MEASUREMENT_TYPE),
    "exception": _vocabulary_attribute(cbv.SENSOR_ALERT_TYPE),
    "component": _vocabulary_attribute(cbv.COMPONENT),
}
_SENSOR: dict[str, Handler] = {
    "sensorMetadata": lambda reader, elem: reader.attributes(elem, _SENSOR_METADATA, {}),
    "sensorReport": lambda reader, elem: reader.attributes(elem, _SENSOR_REPORT, {}),
}
_EVENT: dict[str, Handler] = {
    **dict.fromkeys(
        (
            "eventTime",
            "recordTime",
            "eventTimeZoneOffset",
            "eventID",
            "certificationInfo",
            "parentID",
            "transformationID",
            "action",
        ),
        _text_field,
    ),
    **dict.fromkeys(("epcList", "childEPCs", "inputEPCList", "outputEPCList"), _Reader.epcs),
    **dict.fromkeys(
        ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"),
        _Reader.quantities,
    ),
    "bizStep": _vocabulary(cbv.BIZ_STEP),
    "disposition": _vocabulary(cbv.DISPOSITION),
    "readPoint": _Reader.location,
    "bizLocation": _Reader.location,
    "bizTransactionList": _Reader.biz_transactions,
    "sourceList": _Reader.sources,
    "destinationList": _Reader.destinations,
    "sensorElementList": _Reader.sensor_elements,
    "persistentDisposition": _Reader.persistent_disposition,
    "errorDeclaration": _Reader.error_declaration,
    "ilmd": _Reader.ilmd,
}
