"""The CBV 2.0 code lists EPCIS fields take their values from, and the spellings of a value.

Why: a business step, disposition, business transaction type, source/destination type, error
reason or sensor component (the "why" and "how" of an event, EPCIS 2.0 §7.3.5–§7.3.6) is either
a CBV standard value or a URI of the sender's own vocabulary. A standard value reaches us in
three spellings — the bare word JSON-LD documents use (``shipping``), the URN of CBV 1.x that
XML documents still use and CBV 2.0 keeps (``urn:epcglobal:cbv:bizstep:shipping``), and the
GS1 Web URI the bare word stands for (``https://ref.gs1.org/cbv/BizStep-shipping``, also as the
compact IRI ``cbv:BizStep-shipping``) — and all three mean the same value. Anything else inside
the CBV namespaces is no standard value and is refused, as is a bare word that is not a
standard value (it is no URI either).

The Web URI prefix is recognised in any letter case (``https://ref.gs1.org/cbv/Bizstep-…``),
the word after it exactly. GS1's own sensor data example spells it with a lower-case ``s``; the
CBV namespaces are reserved to GS1, so no sender's own value can live there and the only other
reading, a refusal, would turn away a document whose meaning is not in doubt (scheme and host
are case-insensitive in any URI anyway). A value so spelt is indexed, queried and hashed as the
standard value. The URN and compact prefixes stay exact: the URN is what the CBV prints, and a
JSON-LD prefix is case-sensitive (``CBV:`` is not ``cbv:``). The check that refuses an unknown
value inside the CBV namespaces ignores the case of the URI namespaces too, so
``HTTPS://REF.GS1.ORG/cbv/BizStep-foo`` is refused like its lower-case spelling rather than let
through as a user URI.

The values are read from the vendored EPCIS 2.0 JSON-LD context
(``standard/epcis-context.jsonld``): the term maps it gives ``bizStep``, ``disposition`` and the
``type``, ``reason``, ``component`` and ``exception`` fields are the code lists, word for word
the ``enum`` lists of the GS1 JSON Schema, so one vendored file is the source for both and
nothing is copied by hand. Sensor components, new in CBV 2.0, have no URN form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

STANDARD_DIR = Path(__file__).resolve().parent / "standard"

#: Namespaces reserved to GS1's vocabularies: a value here must be a standard value.
CBV_NAMESPACES = (
    "urn:epcglobal:cbv:",
    "https://ref.gs1.org/cbv/",
    "http://ref.gs1.org/cbv/",
    "https://ns.gs1.org/cbv/",
    "http://ns.gs1.org/cbv/",
    "cbv:",
)
#: The URIs among them, which are recognised in any letter case (see the module docstring).
_URI_NAMESPACES = tuple(namespace for namespace in CBV_NAMESPACES if namespace != "cbv:")


@dataclass(frozen=True)
class Vocabulary:
    """One code list: its standard values and the prefixes its values may be spelt with."""

    name: str
    label: Promise
    terms: frozenset[str]
    web_prefix: str
    urn_prefix: str | None
    compact_prefix: str
    example: str

    def bare(self, value: str) -> str | None:
        """The standard value ``value`` spells (``shipping``), or None if it spells none."""
        if value in self.terms:
            return value
        web = len(self.web_prefix)
        if value[:web].lower() == self.web_prefix.lower():  # any case: see the module docstring
            word = value[web:]
        elif self.urn_prefix and value.startswith(self.urn_prefix):
            word = value[len(self.urn_prefix) :]
        elif value.startswith(self.compact_prefix):
            word = value[len(self.compact_prefix) :]
        else:
            return None
        return word if word in self.terms else None

    def web_uri(self, value: str) -> str:
        """A standard value as its Web URI (``https://ref.gs1.org/cbv/BizStep-shipping``); any
        other value unchanged."""
        word = self.bare(value)
        return value if word is None else self.web_prefix + word

    def problem(self, value: str) -> str | None:
        """Why ``value`` cannot stand in a field of this code list (translated), or None.

        A value of the sender's own vocabulary only has to lie outside the CBV namespaces here;
        that it is a well-formed absolute URI is the JSON Schema's ``format: uri``."""
        if self.bare(value) is not None:
            return None
        spellings = ", ".join(self.spellings(self.example))
        if value.startswith(CBV_NAMESPACES) or value.lower().startswith(_URI_NAMESPACES):
            return gettext(
                "“%(value)s” is not a CBV 2.0 %(vocabulary)s. A standard value is written like "
                "%(spellings)s; a value of your own must be a URI outside the CBV namespace."
            ) % {"value": value, "vocabulary": self.label, "spellings": spellings}
        if ":" not in value:
            return gettext(
                "“%(value)s” is neither a CBV 2.0 %(vocabulary)s (written like %(spellings)s) "
                "nor the URI of a value of your own vocabulary."
            ) % {"value": value, "vocabulary": self.label, "spellings": spellings}
        return None

    def spellings(self, word: str) -> list[str]:
        """The ways a standard value may be written, the bare word first."""
        urn = [self.urn_prefix + word] if self.urn_prefix else []
        return [word, *urn, self.web_prefix + word]


def _context() -> dict:
    text = (STANDARD_DIR / "epcis-context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


_CONTEXT = _context()

#: The prefixes the EPCIS 2.0 context declares (``gs1``, ``cbv``, ``cbvmda``, …): compact IRIs
#: using them mean the same in every EPCIS 2.0 document.
CONTEXT_PREFIXES: dict[str, str] = {
    term: iri
    for term, iri in _CONTEXT.items()
    if isinstance(iri, str) and not term.startswith("@") and iri.endswith(("/", "#", ":"))
}


def _vocabulary(
    name: str, label: Promise, term_map: dict[str, str], urn: str | None, example: str
) -> Vocabulary:
    """A code list from a context term map (``{"shipping": "cbv:BizStep-shipping", …}``)."""
    curie = next(iter(term_map.values()))
    compact = curie[: curie.index("-") + 1] if curie.startswith("cbv:") else "gs1:"
    prefix, _, rest = compact.partition(":")
    return Vocabulary(
        name=name,
        label=label,
        terms=frozenset(term_map),
        web_prefix=CONTEXT_PREFIXES[prefix] + rest,
        urn_prefix=urn and "urn:epcglobal:cbv:" + urn,
        compact_prefix=compact,
        example=example,
    )


_SENSOR_REPORT = _CONTEXT["sensorElementList"]["@context"]["sensorReport"]["@context"]

BIZ_STEP = _vocabulary(
    "bizStep",
    gettext_lazy("business step"),
    _CONTEXT["bizStep"]["@context"],
    "bizstep:",
    "shipping",
)
DISPOSITION = _vocabulary(
    "disposition",
    gettext_lazy("disposition"),
    _CONTEXT["disposition"]["@context"],
    "disp:",
    "in_transit",
)
BIZ_TRANSACTION_TYPE = _vocabulary(
    "bizTransactionType",
    gettext_lazy("business transaction type"),
    _CONTEXT["bizTransactionList"]["@context"]["type"]["@context"],
    "btt:",
    "po",
)
SOURCE_DESTINATION_TYPE = _vocabulary(
    "sourceDestType",
    gettext_lazy("source/destination type"),
    _CONTEXT["sourceList"]["@context"]["type"]["@context"],
    "sdt:",
    "owning_party",
)
ERROR_REASON = _vocabulary(
    "errorReason",
    gettext_lazy("error reason"),
    _CONTEXT["errorDeclaration"]["@context"]["reason"]["@context"],
    "er:",
    "incorrect_data",
)
COMPONENT = _vocabulary(
    "component",
    gettext_lazy("sensor component"),
    _SENSOR_REPORT["component"]["@context"],
    None,
    "latitude",
)
#: GS1 Web Vocabulary code lists of sensor reports: the JSON Schema alone checks these (bare
#: words only); the event hash ID expands them.
MEASUREMENT_TYPE = _vocabulary(
    "measurementType",
    gettext_lazy("measurement type"),
    _SENSOR_REPORT["type"]["@context"],
    None,
    "Temperature",
)
SENSOR_ALERT_TYPE = _vocabulary(
    "sensorAlertType",
    gettext_lazy("sensor alert type"),
    _SENSOR_REPORT["exception"]["@context"],
    None,
    "ALARM_CONDITION",
)
