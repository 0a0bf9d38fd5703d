"""The characters a GS1 serial number may hold, and how each kind of URI writes them.

* GS1 AI encodable character set 82 (GS1 General Specifications §7.11; EPC Tag Data Standard
  Table A-1): the characters of AI (21), so of an SGTIN serial — digits, letters and
  ``! " % & ' ( ) * + , - . / : ; < = > ? _``. SGTIN-198 stores each as 7-bit ASCII.
* EPC URIs (TDS §6 and Table A-1) write seven of them as %-escapes — ``"`` ``%`` ``&`` ``/``
  ``<`` ``>`` ``?`` as ``%22 %25 %26 %2F %3C %3E %3F`` — and every other character as itself.
  Only those seven escapes are allowed, and those seven characters may not appear raw.
* GS1 Digital Link URIs percent-encode every character outside RFC 3986's *unreserved* set
  (letters, digits, ``- . _ ~``) with upper-case hex, as GS1's own reference encoder does
  (gs1/gs1-syntax-engine, ``URIescape`` in src/c-lib/dl.c). That one spelling per serial is what
  makes a Digital Link usable as an index key. Reading, any %-escape (either case) is accepted.
"""

from __future__ import annotations

from string import hexdigits
from urllib.parse import quote

from tirebrain.trace.epc.errors import EpcError

CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
MAX_SERIAL_LENGTH = 20  # AI (21) is X..20

_EPC_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_EPC_ESCAPE_TABLE = str.maketrans(_EPC_ESCAPES)
_EPC_UNESCAPES = {escape[1:]: char for char, escape in _EPC_ESCAPES.items()}  # "2F" → "/"
_MUST_ESCAPE = frozenset(_EPC_ESCAPES)
_HEX = frozenset(hexdigits)


def check_serial(serial: str, text: str) -> str:
    """``serial`` if it is 1 to 20 characters of set 82; ``text`` names the input in errors."""
    if not serial:
        raise EpcError("empty_serial", text)
    if len(serial) > MAX_SERIAL_LENGTH:
        raise EpcError("serial_too_long", text, length=len(serial))
    if not CHARSET_82.issuperset(serial):
        raise EpcError("bad_character", text, char=next(c for c in serial if c not in CHARSET_82))
    return serial


def epc_escape(serial: str) -> str:
    """The serial as an EPC URI writes it."""
    return serial.translate(_EPC_ESCAPE_TABLE)


def epc_unescape(component: str, text: str) -> str:
    """The serial an EPC URI component spells, checked (see :func:`check_serial`)."""
    pieces = component.split("%")
    parts = [pieces[0]]
    for piece in pieces[1:]:
        char = _EPC_UNESCAPES.get(piece[:2].upper())
        if char is None:
            raise EpcError("bad_escape", text, escape="%" + piece[:2])
        parts += (char, piece[2:])
    for raw in parts[::2]:  # the text between escapes
        if not _MUST_ESCAPE.isdisjoint(raw):
            char = next(c for c in raw if c in _MUST_ESCAPE)
            raise EpcError("unescaped_character", text, char=char, escape=_EPC_ESCAPES[char])
    return check_serial("".join(parts), text)


def dl_escape(serial: str) -> str:
    """The serial as a GS1 Digital Link path segment, in its one canonical spelling."""
    if serial.isalnum() and serial.isascii():  # most serials: nothing to escape
        return serial
    return quote(serial, safe="")


def dl_unescape(segment: str, text: str) -> str:
    """The serial a Digital Link path segment spells, checked (see :func:`check_serial`)."""
    pieces = segment.split("%")
    parts = [pieces[0]]
    for piece in pieces[1:]:
        code = piece[:2]
        if len(code) != 2 or not _HEX.issuperset(code):
            raise EpcError("bad_escape", text, escape="%" + code)
        parts += (chr(int(code, 16)), piece[2:])
    return check_serial("".join(parts), text)
