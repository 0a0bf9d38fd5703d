"""The match key the event store indexes identifiers by, and EPCIS patterns as key prefixes.

Match key (:func:`match_key`): EPCIS 2.0 lets an event name the same tyre as a pure identity URN
(``urn:epc:id:sgtin:0614141.812345.6789``) or a GS1 Digital Link
(``https://id.gs1.org/01/80614141123458/21/6789``), readers report tags as hex or tag URIs and
barcodes give element strings. All of them turn into the canonical Digital Link — GS1's host,
the GTIN-14, the serial percent-encoded in its one canonical spelling (``charset.dl_escape``) —
because a Digital Link does not say how long the company prefix is and a URN does: the Digital
Link is the form every spelling can be turned into. Every other identifier (SSCC, SGLN, GRAI,
LGTIN and other class URIs, Digital Links that are not of an SGTIN, anything else) is its own
key, stripped of surrounding space. A text that claims to be an SGTIN but is malformed raises
:class:`EpcError`.

Patterns (:func:`pattern_prefixes`), for the MATCH_epc/MATCH_anyEPC family (EPCIS 2.0 §8.2.7.1)
and the EPC Pattern URIs of TDS §8 (``urn:epc:idpat:``):

* ``None`` — the value is not a wildcard pattern; it selects exactly the key ``match_key(value)``.
  That covers every EPC and Digital Link (neither GS1 Digital Link 1.x nor EPCIS 2.0 defines a
  Digital Link wildcard) and a pattern without ``*`` (``urn:epc:idpat:sgtin:CP.IR.S`` names one
  EPC; :func:`match_key` gives that EPC's key).
* a list of key prefixes — keys starting with any of them:

  - ``urn:epc:idpat:sgtin:CP.IR.*`` → ``https://id.gs1.org/01/{gtin14}/21/``;
  - ``urn:epc:idpat:sgtin:CP.*.*`` → ``https://id.gs1.org/01/{d}{CP}`` for each indicator digit
    ``d`` 0–9 (the indicator leads the GTIN). GS1 company prefixes are allocated so that none is
    the beginning of another, so "starts with CP after the indicator" selects that company's
    GTINs and no other's;
  - ``urn:epc:idpat:sgtin:*.*.*`` → ``https://id.gs1.org/01/`` (every SGTIN; also any other
    identifier someone wrote as a Digital Link on GS1's host, e.g. a lot, if stored in the
    roles being searched);
  - other schemes keep their URN as key, so ``urn:epc:idpat:sscc:0614141.*`` →
    ``urn:epc:id:sscc:0614141.`` (the fixed parts and a dot); their Digital Link spellings are
    not matched.

A pattern with a fixed part after a ``*`` (``CP.*.123``) raises :class:`EpcError` (``bad_pattern``).
Tag-level patterns with ranges (``urn:epc:pat:sgtin-96:…[1-9]``) are not EPCIS query values and are
treated as plain URIs.
"""

from __future__ import annotations

from tirebrain.products.gtin import check_digit
from tirebrain.trace.epc.errors import EpcError
from tirebrain.trace.epc.parsing import (
    SGTIN_HEADERS,
    check_company_prefix,
    reader_for,
    uri_gtin_body,
)
from tirebrain.trace.epc.sgtin import DIGITAL_LINK_STEM, decode_hex, read_gtin

_PATTERN_PREFIX = "urn:epc:idpat:"
_SGTIN_URN = "urn:epc:id:sgtin:"
_HEX_LENGTHS = (24, 50, 52)  # SGTIN-96; SGTIN-198 padded to 200 or 208 bits


def match_key(epc: str) -> str:
    """The key events are indexed by for ``epc`` (see the module's docstring)."""
    text = epc.strip()
    if text.startswith(_SGTIN_URN):
        fast = _plain_sgtin_urn_key(text)
        if fast is not None:
            return fast
    reader = reader_for(text)
    if reader is None:
        if len(text) in _HEX_LENGTHS and text[:2] in SGTIN_HEADERS and text.isalnum():
            reader = decode_hex
        elif text[:14].lower() == _PATTERN_PREFIX:
            return _pattern_key(text)
        else:
            return text
    sgtin = reader(text)
    return text if sgtin is None else sgtin.digital_link


def _plain_sgtin_urn_key(text: str) -> str | None:
    """The key of the commonest spelling — a pure identity URN with a plain alphanumeric serial —
    without building an :class:`Sgtin` (capture computes a key for every EPC it stores); None
    for anything else, which goes the long way with its full checks and messages."""
    company, _dot, rest = text[len(_SGTIN_URN) :].partition(".")
    item, _dot, serial = rest.partition(".")
    if not (
        text.isascii()
        and company.isdigit()
        and item.isdigit()
        and 6 <= len(company) <= 12
        and len(company) + len(item) == 13
        and 0 < len(serial) <= 20
        and serial.isalnum()
    ):
        return None
    body = item[0] + company + item[1:]
    return f"{DIGITAL_LINK_STEM}{body}{check_digit(body)}/21/{serial}"


def gtin_key_prefix(gtin: str) -> str:
    """The prefix of the match keys of every serial of one GTIN (8 to 14 digits)."""
    return f"{DIGITAL_LINK_STEM}{read_gtin(gtin)}/21/"


def pattern_prefixes(pattern: str) -> list[str] | None:
    """The key prefixes an EPC pattern selects, or None when it selects the one key
    ``match_key(pattern)`` (see the module's docstring)."""
    text = pattern.strip()
    if text[:14].lower() != _PATTERN_PREFIX:
        return None
    scheme, parts = _pattern_parts(text)
    if "*" not in parts:
        return None
    fixed = parts[: parts.index("*")]
    if any(part != "*" for part in parts[len(fixed) :]) or not all(fixed):
        raise EpcError("bad_pattern", text)
    if scheme != "sgtin":
        return [f"urn:epc:id:{scheme}:" + "".join(f"{part}." for part in fixed)]
    if len(parts) != 3:
        raise EpcError("bad_pattern", text)
    if not fixed:
        return [DIGITAL_LINK_STEM]
    if len(fixed) == 1:
        company_prefix = check_company_prefix(fixed[0], text)
        return [f"{DIGITAL_LINK_STEM}{digit}{company_prefix}" for digit in "0123456789"]
    body = uri_gtin_body(*fixed, text)
    return [f"{DIGITAL_LINK_STEM}{body}{check_digit(body)}/21/"]


def _pattern_parts(text: str) -> tuple[str, list[str]]:
    """The scheme of an ``urn:epc:idpat:`` URI and its dot-separated parts (an SGTIN's serial,
    which may hold dots, kept whole)."""
    scheme, colon, body = text[len(_PATTERN_PREFIX) :].partition(":")
    scheme = scheme.lower()
    if not colon or not scheme:
        raise EpcError("bad_pattern", text)
    return scheme, body.split(".", 2) if scheme == "sgtin" else body.split(".")


def _pattern_key(text: str) -> str:
    """The key of a pattern URI: a pattern without ``*`` names one EPC, whose key it is; a
    wildcard pattern (EPCIS 1.x wrote GTIN classes as ``urn:epc:idpat:sgtin:CP.IR.*``) is its own
    key."""
    scheme, parts = _pattern_parts(text)
    if "*" in parts:
        return text
    return match_key(f"urn:epc:id:{scheme}:{'.'.join(parts)}")
