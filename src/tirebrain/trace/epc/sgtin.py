"""The SGTIN value every written form reads into, and its binary encodings SGTIN-96 and SGTIN-198.

An SGTIN is a GTIN and a serial number. The forms differ in what else they say:

* a GS1 Digital Link (``https://id.gs1.org/01/{gtin}/21/{serial}``) or element string
  (``(01)…(21)…``): nothing else;
* the EPC pure identity URI (``urn:epc:id:sgtin:CP.IR.S``): also where the GS1 company prefix ends
  inside the GTIN (``company_prefix_length``, 6 to 12 digits);
* the EPC tag URI (``urn:epc:tag:sgtin-96:F.CP.IR.S``) and the tag's binary, written as hex: also
  the filter value (0 to 7) and the scheme.

:class:`Sgtin` holds what is known; a form that needs more raises :class:`EpcError`
(``missing_company_prefix_length``, ``missing_tag``). Build one with :func:`from_gtin`,
:func:`encode`, :func:`decode_hex` or ``parsing.decode`` — they check everything; the class itself
does not.

Binary layouts (EPC Tag Data Standard §14.5.1 in TDS 1.9's numbering: Table 14-2, the SGTIN
partition table, and the SGTIN-96 and SGTIN-198 coding tables):

* SGTIN-96: header ``0x30`` (8 bits), filter (3), partition (3), company prefix and item reference
  (44 bits, split by the partition table), serial number (38 bits, an integer: only numeric serials
  without leading zeros, at most 274877906943).
* SGTIN-198: header ``0x36``, filter, partition and the same 44 bits, then the serial as up to 20
  characters of 7-bit ASCII (140 bits, zero-padded). 198 bits are written as 52 hex digits (the 13
  words of tag memory, as TDS 2.x's examples do); 50 digits (TDS 1.x's examples) are read too.

The item reference here is written as EPC URIs write it: the GTIN's indicator digit, then the
item reference proper (``812345`` for GTIN 8 0614141 12345 8).

Speed: :func:`decode_hex` is the hot path of tag reads (``bench/epc_decode.py``): one ``int()``
of the hex, shifts and masks, a precomputed row of the partition table, no regular expression.
The GTIN's check digit is not stored but computed when ``gtin`` is asked for, so decoding a tag
does not pay for it.
"""

from __future__ import annotations

from typing import NamedTuple

from tirebrain.products.gtin import GtinError, check_digit, normalise_gtin
from tirebrain.trace.epc.charset import check_serial, dl_escape, epc_escape
from tirebrain.trace.epc.errors import EpcError

SGTIN_96 = "sgtin-96"
SGTIN_198 = "sgtin-198"
SCHEMES = (SGTIN_96, SGTIN_198)
FILTERS = range(8)
#: The canonical GS1 Digital Link stem of a GTIN (the match key of SGTINs begins with it).
DIGITAL_LINK_STEM = "https://id.gs1.org/01/"

_HEADER_96 = 0x30
_HEADER_198 = 0x36
_SERIAL_MASK_96 = (1 << 38) - 1
_SERIAL_MASK_198 = (1 << 140) - 1
_FIELD_MASK = (1 << 44) - 1

#: Partition table: partition value → (company prefix bits, company prefix digits, item reference
#: bits, item reference digits including the indicator digit).
PARTITIONS = (
    (40, 12, 4, 1),
    (37, 11, 7, 2),
    (34, 10, 10, 3),
    (30, 9, 14, 4),
    (27, 8, 17, 5),
    (24, 7, 20, 6),
    (20, 6, 24, 7),
)
# What decode_hex needs per partition, computed once: the item reference's bits and mask, the
# limits of both numbers, 10 ** (item reference digits after the indicator), company prefix digits.
_DECODING = tuple(
    (ir_bits, (1 << ir_bits) - 1, 10**cp_digits, 10**ir_digits, 10 ** (ir_digits - 1), cp_digits)
    for _cp_bits, cp_digits, ir_bits, ir_digits in PARTITIONS
)
_INDICATOR_WEIGHT = 10**12
# Results are built without NamedTuple.__new__'s Python-level call (see decode_hex()).
_new_tuple = tuple.__new__


class Sgtin(NamedTuple):
    """One SGTIN and as much of its tag as is known.

    ``gtin_body`` is the GTIN's 13 digits before its check digit: indicator digit, company prefix,
    item reference. ``serial`` is the serial number itself (``32a/b``), as AI (21) holds it,
    never escaped.
    """

    gtin_body: str
    serial: str
    company_prefix_length: int | None = None
    filter: int | None = None
    scheme: str | None = None

    @property
    def gtin(self) -> str:
        """The GTIN-14 with its check digit."""
        return self.gtin_body + check_digit(self.gtin_body)

    @property
    def company_prefix(self) -> str:
        return self.gtin_body[1 : 1 + self._prefix_length()]

    @property
    def item_reference(self) -> str:
        """The indicator digit followed by the item reference, as EPC URIs write it."""
        return self.gtin_body[0] + self.gtin_body[1 + self._prefix_length() :]

    @property
    def partition(self) -> int:
        return 12 - self._prefix_length()

    @property
    def element_string(self) -> str:
        return f"(01){self.gtin}(21){self.serial}"

    @property
    def digital_link(self) -> str:
        """The canonical GS1 Digital Link: GS1's resolver, every reserved character escaped."""
        return f"{DIGITAL_LINK_STEM}{self.gtin}/21/{dl_escape(self.serial)}"

    @property
    def pure_identity_uri(self) -> str:
        return (
            f"urn:epc:id:sgtin:{self.company_prefix}.{self.item_reference}."
            f"{epc_escape(self.serial)}"
        )

    @property
    def tag_uri(self) -> str:
        filter_, scheme = self._tag()
        return (
            f"urn:epc:tag:{scheme}:{filter_}.{self.company_prefix}.{self.item_reference}."
            f"{epc_escape(self.serial)}"
        )

    @property
    def hex(self) -> str:
        """The tag's EPC in upper-case hex: 24 digits for SGTIN-96, 52 for SGTIN-198."""
        filter_, scheme = self._tag()
        length = self._prefix_length()
        partition = 12 - length
        body = self.gtin_body
        item = int(body[0] + body[1 + length :])
        field = int(body[1 : 1 + length]) << PARTITIONS[partition][2] | item
        head = (filter_ << 3 | partition) << 44 | field
        if scheme == SGTIN_96:
            return f"{(_HEADER_96 << 50 | head) << 38 | int(self.serial):024X}"
        serial = 0
        for i, char in enumerate(self.serial):
            serial |= ord(char) << (133 - 7 * i)
        return f"{((_HEADER_198 << 50 | head) << 140 | serial) << 10:052X}"

    def tag(self, filter: int = 0, scheme: str | None = None) -> Sgtin:
        """The same SGTIN written on a tag with this filter value and scheme.

        Without a scheme: SGTIN-96 when the serial fits it (digits, no leading zero, 38 bits),
        else SGTIN-198.
        """
        self._prefix_length()
        if filter not in FILTERS or isinstance(filter, bool):
            raise EpcError("bad_filter", value=filter)
        if scheme is None:
            scheme = SGTIN_198 if _serial_96_problem(self.serial) else SGTIN_96
        elif scheme == SGTIN_96:
            check_serial_96(self.serial, "")
        elif scheme != SGTIN_198:
            raise EpcError("bad_scheme", scheme=scheme)
        return self._replace(filter=filter, scheme=scheme)

    def forms(self) -> dict[str, str | int]:
        """Every form this SGTIN can be written in, by name, in a fixed order."""
        forms: dict[str, str | int] = {
            "gtin": self.gtin,
            "serial": self.serial,
            "element_string": self.element_string,
            "digital_link": self.digital_link,
        }
        if self.company_prefix_length is not None:
            forms["company_prefix"] = self.company_prefix
            forms["item_reference"] = self.item_reference
            forms["partition"] = self.partition
            forms["pure_identity_uri"] = self.pure_identity_uri
        if self.scheme is not None:
            forms["scheme"] = self.scheme
            forms["filter"] = self.filter
            forms["tag_uri"] = self.tag_uri
            forms["hex"] = self.hex
        return forms

    def _prefix_length(self) -> int:
        if self.company_prefix_length is None:
            raise EpcError("missing_company_prefix_length")
        return self.company_prefix_length

    def _tag(self) -> tuple[int, str]:
        if self.filter is None or self.scheme is None:
            raise EpcError("missing_tag")
        return self.filter, self.scheme


# ---------------------------------------------------------------------------------------------
# Checks shared by every form


def read_gtin(value: str, text: str = "") -> str:
    """The GTIN as 14 digits (GTIN-8, -12 and -13 padded), its check digit verified.

    ``products.gtin`` does the work; its error says why in words only, so a GTIN that would be
    right with another last digit is told apart here as ``bad_check_digit``.
    """
    try:
        return normalise_gtin(value)
    except GtinError as exc:
        digits = "".join(value.split())
        if digits.isascii() and digits.isdigit():
            body = digits[:-1]
            expected = check_digit(body)
            try:
                normalise_gtin(body + expected)
            except GtinError:
                pass
            else:
                raise EpcError(
                    "bad_check_digit", text or value, gtin=digits, expected=expected
                ) from None
        raise EpcError("bad_gtin", text or value, reason=str(exc)) from None


def check_prefix_length(length: int) -> int:
    if not 6 <= length <= 12:
        raise EpcError("bad_company_prefix_length", value=length)
    return length


def _serial_96_problem(serial: str) -> str | None:
    """Why SGTIN-96 cannot hold ``serial`` (an error code), or None when it can."""
    if not (serial.isascii() and serial.isdigit()):
        return "serial_not_numeric"
    if serial[0] == "0" and len(serial) > 1:
        return "serial_leading_zero"
    if int(serial) > _SERIAL_MASK_96:
        return "serial_too_large"
    return None


def check_serial_96(serial: str, text: str) -> str:
    """``serial`` if SGTIN-96 can hold it."""
    problem = _serial_96_problem(serial)
    if problem:
        raise EpcError(problem, text, serial=serial)
    return serial


# ---------------------------------------------------------------------------------------------
# Building


def from_gtin(gtin: str, serial: str, company_prefix_length: int | None = None) -> Sgtin:
    """The SGTIN of a GTIN (8, 12, 13 or 14 digits) and a serial number.

    Without ``company_prefix_length`` it has the Digital Link and element string forms only.
    """
    body = read_gtin(gtin)[:13]
    check_serial(serial, serial)
    if company_prefix_length is not None:
        check_prefix_length(company_prefix_length)
    return Sgtin(body, serial, company_prefix_length)


def encode(
    gtin: str,
    serial: str,
    company_prefix_length: int,
    *,
    filter: int = 0,
    scheme: str | None = None,
) -> Sgtin:
    """The tag for a GTIN and serial: every form, ``hex`` and ``tag_uri`` included.

    Filter 0 is TDS's "all others"; the scheme defaults as in :meth:`Sgtin.tag`.
    """
    return from_gtin(gtin, serial, company_prefix_length).tag(filter, scheme)


def sgtin_uri(gtin: str, serial: str, company_prefix_length: int) -> str:
    """The pure identity URI (``urn:epc:id:sgtin:…``) of a GTIN and serial number."""
    return from_gtin(gtin, serial, company_prefix_length).pure_identity_uri


# ---------------------------------------------------------------------------------------------
# Reading a tag


def _serial_198(bits: int, text: str) -> str:
    """The serial in the 140 serial bits of SGTIN-198: 7-bit characters up to the first zero."""
    chars = []
    for shift in range(133, -7, -7):
        code = (bits >> shift) & 0x7F
        if not code:
            if bits & ((1 << shift) - 1):
                raise EpcError("bad_padding", text)
            break
        chars.append(code)
    return check_serial(bytes(chars).decode("ascii"), text)


def decode_hex(text: str) -> Sgtin:
    """The SGTIN on a tag whose EPC reads ``text`` (hex digits, either case, nothing else)."""
    length = len(text)
    try:
        value = int(text, 16)
    except ValueError:
        raise EpcError("bad_hex", text) from None
    # int() also takes "_" between digits, surrounding spaces and non-ASCII digits: the header
    # read back from the value is only right when every character was a hex digit.
    if not text.isascii():
        raise EpcError("bad_hex", text)
    if length == 24 and value >> 88 == _HEADER_96:
        serial = str(value & _SERIAL_MASK_96)
        value >>= 38
        scheme = SGTIN_96
    elif length in (50, 52) and value >> (length * 4 - 8) == _HEADER_198:
        padding = length * 4 - 198
        if value & ((1 << padding) - 1):
            raise EpcError("bad_padding", text)
        value >>= padding
        serial = _serial_198(value & _SERIAL_MASK_198, text)
        value >>= 140
        scheme = SGTIN_198
    else:
        raise _hex_problem(text, length)
    partition = (value >> 44) & 7
    if partition == 7:
        raise EpcError("bad_partition", text, partition=partition)
    ir_bits, ir_mask, cp_limit, ir_limit, ir_shift, cp_digits = _DECODING[partition]
    field = value & _FIELD_MASK
    company_prefix = field >> ir_bits
    item = field & ir_mask
    if company_prefix >= cp_limit:
        raise EpcError(
            "company_prefix_overflow", text, value=company_prefix, digits=cp_digits,
            partition=partition,
        )  # fmt: skip
    if item >= ir_limit:
        raise EpcError(
            "item_reference_overflow", text, value=item, digits=13 - cp_digits,
            partition=partition,
        )  # fmt: skip
    # indicator digit, company prefix, item reference: one number, formatted once
    indicator, rest = divmod(item, ir_shift)
    body = str(indicator * _INDICATOR_WEIGHT + company_prefix * ir_shift + rest).zfill(13)
    return _new_tuple(Sgtin, (body, serial, cp_digits, (value >> 47) & 7, scheme))


def _hex_problem(text: str, length: int) -> EpcError:
    """What is wrong with a text :func:`decode_hex` could not read."""
    head = text[:2]
    if not (text.isascii() and text.isalnum()):
        return EpcError("bad_hex", text)
    if head == "30":
        return EpcError("bad_length", text, scheme="SGTIN-96", expected="24", length=length)
    if head == "36":
        return EpcError("bad_length", text, scheme="SGTIN-198", expected="50 or 52", length=length)
    return EpcError("bad_header", text, header=head.upper())
