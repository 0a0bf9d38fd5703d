"""Reading an SGTIN from any written form: EPC URIs, GS1 Digital Link, element string, hex.

:func:`decode` recognises the form by its beginning and reads it; every reader checks the whole
text and raises :class:`EpcError` naming what is wrong. Decisions:

* ``urn:epc:`` and ``http(s)://`` are matched without regard to case (RFC 8141 and RFC 3986 make
  the scheme and namespace case-insensitive); the rest is case-sensitive but for hex digits and
  %-escapes.
* EPC URIs are read strictly as TDS §6 writes them: company prefix 6 to 12 digits, item reference
  (indicator digit first) making 13 digits with it, only the seven %-escapes of TDS Table A-1.
* A Digital Link may have any host and any path before ``/01/``; its last two path segments must
  be ``21`` and the serial, with only the key qualifiers ``22`` (variant) and ``10`` (batch/lot)
  allowed between the GTIN and the serial — they do not change which item it is and are dropped.
  The query string (data attributes) and fragment are ignored. AI (01) may hold a GTIN-8, -12,
  -13 or -14 (GS1's own toolkit accepts the shorter ones too); it is kept as 14 digits. Other
  Digital Links (a GTIN alone, a lot, an SSCC …) are not SGTINs: :func:`read_digital_link`
  returns None for them.
"""

from __future__ import annotations

from collections.abc import Callable

from tirebrain.trace.epc.charset import check_serial, dl_unescape, epc_unescape
from tirebrain.trace.epc.errors import EpcError
from tirebrain.trace.epc.sgtin import (
    SCHEMES,
    SGTIN_96,
    Sgtin,
    check_prefix_length,
    check_serial_96,
    decode_hex,
    read_gtin,
)

PURE_IDENTITY_PREFIX = "urn:epc:id:sgtin:"
TAG_PREFIX = "urn:epc:tag:"
_SGTIN_TAG_PREFIX = "urn:epc:tag:sgtin-"
_WEB_PREFIXES = ("https://", "http://")
_DL_QUALIFIERS = ("22", "10")  # key qualifiers of AI (01) that may stand before (21)
_FILTER_DIGITS = frozenset("01234567")
#: How the hex of an SGTIN-96 and an SGTIN-198 begins.
SGTIN_HEADERS = ("30", "36")

Reader = Callable[[str], Sgtin | None]


def check_company_prefix(company_prefix: str, text: str) -> str:
    """``company_prefix`` if it is 6 to 12 digits (TDS counts shorter GS1 prefixes as 6)."""
    digits = company_prefix.isascii() and company_prefix.isdigit()
    if not (digits and 6 <= len(company_prefix) <= 12):
        raise EpcError("bad_company_prefix", text, value=company_prefix)
    return company_prefix


def uri_gtin_body(company_prefix: str, item_reference: str, text: str) -> str:
    """The GTIN's first 13 digits from the company prefix and item reference of an EPC URI."""
    check_company_prefix(company_prefix, text)
    if not (item_reference.isascii() and item_reference.isdigit()):
        raise EpcError("bad_item_reference", text, value=item_reference)
    if len(company_prefix) + len(item_reference) != 13:
        raise EpcError(
            "digits_mismatch",
            text,
            company_prefix=len(company_prefix),
            expected=13 - len(company_prefix),
            item_reference=len(item_reference),
        )
    return item_reference[0] + company_prefix + item_reference[1:]


def read_pure_identity_uri(text: str) -> Sgtin:
    """``urn:epc:id:sgtin:CompanyPrefix.ItemReference.Serial``."""
    parts = text[len(PURE_IDENTITY_PREFIX) :].split(".", 2)
    if len(parts) != 3:
        raise EpcError("bad_syntax", text, template="urn:epc:id:sgtin:CP.IR.Serial")
    company_prefix, item_reference, serial = parts
    body = uri_gtin_body(company_prefix, item_reference, text)
    return Sgtin(body, epc_unescape(serial, text), len(company_prefix))


def read_tag_uri(text: str) -> Sgtin:
    """``urn:epc:tag:sgtin-96:Filter.CompanyPrefix.ItemReference.Serial`` (or ``sgtin-198``)."""
    scheme, _colon, rest = text[len(TAG_PREFIX) :].partition(":")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise EpcError("bad_scheme", text, scheme=scheme)
    parts = rest.split(".", 3)
    if len(parts) != 4:
        raise EpcError("bad_syntax", text, template=f"urn:epc:tag:{scheme}:F.CP.IR.Serial")
    filter_, company_prefix, item_reference, serial = parts
    if len(filter_) != 1 or filter_ not in _FILTER_DIGITS:
        raise EpcError("bad_filter", text, value=filter_)
    body = uri_gtin_body(company_prefix, item_reference, text)
    read_serial = check_serial_96 if scheme == SGTIN_96 else epc_unescape
    serial = read_serial(serial, text)
    return Sgtin(body, serial, len(company_prefix), int(filter_), scheme)


def read_digital_link(text: str) -> Sgtin | None:
    """``http(s)://host/any/path/01/{gtin}/21/{serial}``; None for other Digital Links."""
    rest = text.partition("://")[2]
    path = rest.split("?", 1)[0].split("#", 1)[0]
    segments = path.split("/")  # the host, then the path segments
    if len(segments) < 5 or segments[-2] != "21":
        return None
    key = len(segments) - 4
    while key > 1 and segments[key] in _DL_QUALIFIERS:
        key -= 2
    if key < 1 or segments[key] != "01":
        return None
    gtin = read_gtin(segments[key + 1], text)
    return Sgtin(gtin[:13], dl_unescape(segments[-1], text))


def read_element_string(text: str) -> Sgtin:
    """``(01){gtin}(21){serial}``, the bracketed GS1 element string of a barcode."""
    gtin, found, serial = text[4:].partition("(21)")
    if not found:
        raise EpcError("bad_syntax", text, template="(01)GTIN(21)Serial")
    return Sgtin(read_gtin(gtin, text)[:13], check_serial(serial, text))


def reader_for(text: str) -> Reader | None:
    """The reader of the URI or element-string form ``text`` is written in, if any."""
    start = text[:22].lower()
    if start.startswith(PURE_IDENTITY_PREFIX):
        return read_pure_identity_uri
    if start.startswith(_SGTIN_TAG_PREFIX):
        return read_tag_uri
    if start.startswith(_WEB_PREFIXES):
        return read_digital_link
    if text.startswith("(01)"):
        return read_element_string
    return None


def decode(text: str, *, company_prefix_length: int | None = None) -> Sgtin:
    """The SGTIN in any form: hex, pure identity or tag URI, Digital Link or element string.

    ``company_prefix_length`` completes the forms that do not say it (Digital Link, element
    string), so that the EPC URIs can be written; the forms that say it ignore it.
    """
    epc = text.strip()
    if not epc:
        raise EpcError("empty")
    reader = reader_for(epc)
    if reader is None and (epc[:2] in SGTIN_HEADERS or (epc.isascii() and epc.isalnum())):
        reader = decode_hex
    sgtin = reader(epc) if reader is not None else None
    if sgtin is None:
        raise EpcError("unknown_format", epc)
    if sgtin.company_prefix_length is None and company_prefix_length is not None:
        sgtin = sgtin._replace(company_prefix_length=check_prefix_length(company_prefix_length))
    return sgtin
