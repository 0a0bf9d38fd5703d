"""GS1 GTIN: GTIN-8, -12, -13 and -14 with their check digit, kept as 14 digits.

The check digit is the GS1 mod-10 sum with weights 3 and 1 from the right (GS1 General
Specifications, section 7.9). Shorter GTINs are the same number padded with zeros on the left,
so storing 14 digits lets one GTIN be found however it was written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class GtinError(ValueError):
    pass


def check_digit(body: str) -> str:
    """The check digit for the digits before it. Works on the ASCII codes (each digit's code is
    48 more than its value, subtracted once per digit) — it runs for every EPC captured."""
    codes = body.encode()
    odd, even = codes[-1::-2], codes[-2::-2]  # weights 3 and 1, from the right
    return str(-(3 * sum(odd) + sum(even) - 48 * (3 * len(odd) + len(even))) % 10)


def normalise_gtin(value: str) -> str:
    """The GTIN as 14 digits, or GtinError saying what is wrong."""
    digits = value.strip().replace(" ", "")
    if not digits.isdigit():
        raise GtinError(_("a GTIN has only digits, got “%(v)s”") % {"v": value})
    if len(digits) not in (8, 12, 13, 14):
        raise GtinError(_("a GTIN has 8, 12, 13 or 14 digits, got %(n)s") % {"n": len(digits)})
    expected = check_digit(digits[:-1])
    if digits[-1] != expected:
        raise GtinError(
            _("the check digit of %(v)s should be %(e)s") % {"v": digits, "e": expected}
        )
    return digits.zfill(14)
