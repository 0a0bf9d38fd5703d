"""Why an EPC was refused: :class:`EpcError`, a ``ValueError`` with a stable ``code``.

The codes are for programs (tests, the capture job's error list); the message is for people and is
translated when the error is raised, in the language active then.
"""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext, gettext_noop

_PROBLEMS = {
    "empty": gettext_noop("the EPC is empty"),
    "unknown_format": gettext_noop(
        "not an SGTIN: give 24, 50 or 52 hexadecimal digits, urn:epc:id:sgtin:…, "
        "urn:epc:tag:sgtin-96:… or urn:epc:tag:sgtin-198:…, a GS1 Digital Link …/01/…/21/… "
        "or (01)…(21)…"
    ),
    "bad_syntax": gettext_noop("expected %(template)s"),
    "bad_hex": gettext_noop("not hexadecimal digits"),
    "bad_header": gettext_noop("header %(header)s is neither SGTIN-96 (30) nor SGTIN-198 (36)"),
    "bad_length": gettext_noop("%(scheme)s takes %(expected)s hexadecimal digits, not %(length)d"),
    "bad_padding": gettext_noop("the bits after the serial number are not all zero"),
    "bad_partition": gettext_noop(
        "partition value %(partition)d is not in the SGTIN partition table (0 to 6)"
    ),
    "company_prefix_overflow": gettext_noop(
        "company prefix %(value)d has more than the %(digits)d digits partition "
        "%(partition)d allows"
    ),
    "item_reference_overflow": gettext_noop(
        "item reference %(value)d has more than the %(digits)d digits partition "
        "%(partition)d allows"
    ),
    "bad_filter": gettext_noop("filter value “%(value)s” is not a digit from 0 to 7"),
    "bad_scheme": gettext_noop("“%(scheme)s” is not an SGTIN scheme (sgtin-96 or sgtin-198)"),
    "bad_company_prefix": gettext_noop("company prefix “%(value)s” is not 6 to 12 digits"),
    "bad_company_prefix_length": gettext_noop(
        "a GS1 company prefix has 6 to 12 digits, not %(value)s"
    ),
    "bad_item_reference": gettext_noop("item reference “%(value)s” is not digits"),
    "digits_mismatch": gettext_noop(
        "a company prefix of %(company_prefix)d digits needs an item reference (with its "
        "indicator digit) of %(expected)d digits, not %(item_reference)d"
    ),
    "missing_company_prefix_length": gettext_noop(
        "this form needs the GS1 company prefix length: a GTIN does not say where its "
        "company prefix ends"
    ),
    "missing_tag": gettext_noop(
        "this form needs a filter value and a scheme, which only an RFID tag has"
    ),
    "bad_check_digit": gettext_noop("the check digit of GTIN %(gtin)s should be %(expected)s"),
    "bad_gtin": gettext_noop("not a GTIN: %(reason)s"),
    "empty_serial": gettext_noop("the serial number is empty"),
    "serial_too_long": gettext_noop(
        "the serial number has %(length)d characters; GS1 allows at most 20"
    ),
    "bad_character": gettext_noop(
        "“%(char)s” cannot be in a serial number (GS1 AI encodable character set 82)"
    ),
    "unescaped_character": gettext_noop("“%(char)s” must be written %(escape)s in an EPC URI"),
    "bad_escape": gettext_noop("“%(escape)s” is not an escape this URI may hold"),
    "serial_not_numeric": gettext_noop(
        "SGTIN-96 holds only numeric serial numbers, not “%(serial)s” (use SGTIN-198)"
    ),
    "serial_leading_zero": gettext_noop(
        "SGTIN-96 cannot hold a serial number starting with 0 such as “%(serial)s” (use SGTIN-198)"
    ),
    "serial_too_large": gettext_noop(
        "serial number %(serial)s is too large for SGTIN-96 (38 bits: at most 274877906943)"
    ),
    "bad_pattern": gettext_noop(
        "not an EPC pattern: after the first “*” every part is “*”, as in "
        "urn:epc:idpat:sgtin:CP.IR.*, CP.*.* or *.*.*"
    ),
}
CODES = tuple(_PROBLEMS)


class EpcError(ValueError):
    """An EPC (or a part of one) that cannot be read or encoded.

    ``code`` is one of :data:`CODES`; ``text`` is the input as given (empty when the problem is
    with a parameter rather than a text); ``params`` fill the message.
    """

    def __init__(self, code: str, text: str = "", **params: object) -> None:
        self.code = code
        self.text = text
        self.params = params
        problem = gettext(_PROBLEMS[code]) % params
        if text:
            problem = gettext("“%(text)s”: %(problem)s") % {"text": text, "problem": problem}
        super().__init__(problem)

    def __reduce__(self):
        # picklable (task queues, multiprocessing) despite the keyword parameters
        return (partial(EpcError, self.code, self.text, **self.params), ())
