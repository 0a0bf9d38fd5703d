"""Unified social credit code (统一社会信用代码, GB 32100-2015).

Every legal entity or other organisation in China gets an 18-character code::

    9 1 110108 12345678 8 E
    | | |      |        | '-- 18: check character over positions 1-17
    | | |      '--------'---- 9-17: organisation code (组织机构代码, GB 11714),
    | | |                          8 body characters + 1 GB 11714 check character
    | | '---------------------- 3-8: administrative division code (GB/T 2260)
    | '------------------------ 2: organisation category code (机构类别代码)
    '-------------------------- 1: registration authority code (登记管理部门代码)

Why each check exists:

* Length and character set: the standard fixes 18 characters drawn from the
  digits and 21 upper-case letters; I, O, Z, S and V are never used because
  they are easily confused with 1, 0, 2, 5 and U. Anything else is a typo or
  a different identifier (an old 15-digit business licence number, say).
* Registration authority and category: only certain pairs are assigned
  (:data:`CATEGORIES_BY_AUTHORITY`), so e.g. ``94...`` is not a code any
  authority could have issued; this catches swapped or mistyped leading
  characters that the check character alone reports less helpfully.
* Administrative division: must be six digits whose first two form a
  province-level prefix of GB/T 2260. We deliberately do not require
  membership in a full county list: divisions are renamed and merged every
  year, and a code stays valid after its division is abolished.
* Organisation code check (position 17): positions 9-17 are a complete
  GB 11714 organisation code with its own mod-11 check character. It is part
  of the standard, so it is enforced.
* Check character (position 18): a mod-31 check over the first 17
  characters. Because 31 is prime and every weight is non-zero, it detects
  every single-character substitution; because adjacent weights differ
  (w[i+1] = 3 * w[i]), it also detects every transposition of two adjacent
  different characters among positions 1-17.

Errors are raised as :class:`CreditCodeError`, which carries a stable
``reason`` code, the 1-based ``position`` of the offending character and a
translated human ``message``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

__all__ = [
    "CATEGORIES_BY_AUTHORITY",
    "CHARSET",
    "PROVINCE_PREFIXES",
    "CreditCodeError",
    "credit_code_check_character",
    "make_credit_code",
    "org_code_check_character",
    "validate_credit_code",
]

LENGTH = 18

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a credit code may contain; the index is the character's value."""

_CHAR_VALUE = {char: value for value, char in enumerate(CHARSET)}

CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Weights for positions 1-17: 3**(i-1) mod 31 = 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ..."""

ORG_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""GB 11714 body characters; the index is the value (A = 10 ... Z = 35)."""

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714 weights for the 8 body characters of an organisation code."""

CATEGORIES_BY_AUTHORITY: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, ...
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("12"),  # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地代表机构
    "7": frozenset("1239"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 农村集体经济组织 and related
    "Y": frozenset("1"),  # 其他
}
"""Allowed organisation category codes (position 2) per registration authority (position 1).

Follows GB 32100-2015 table 1 (登记管理部门代码) and table 2 (机构类别代码) together with the
later amendments that added authorities A (中央军委改革和编制办公室) and N (农业).
"""

PROVINCE_PREFIXES = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)
"""First two digits of a GB/T 2260 division code: the province-level divisions."""


class CreditCodeError(ValueError):
    """A string is not a valid unified social credit code.

    Attributes:
        code: the value as given to the validator (before normalisation).
        reason: stable snake_case code, one of ``wrong_length``, ``bad_character``,
            ``bad_registration_authority``, ``bad_category``, ``bad_division``,
            ``bad_org_code_check``, ``bad_check_character``.
        position: 1-based position of the offending character, or ``None``.
        message: translated human-readable explanation; also ``str(err)``.
    """

    def __init__(self, code: str, reason: str, message: str, position: int | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.position = position
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"CreditCodeError(code={self.code!r}, reason={self.reason!r}, "
            f"position={self.position!r})"
        )


def org_code_check_character(body8: str) -> str:
    """Return the GB 11714 check character for an 8-character organisation code body.

    ``11 - (sum(value * weight) mod 11)``, where 10 is written ``X`` and 11 is written ``0``.
    """
    body8 = body8.upper()
    if len(body8) != 8 or any(c not in ORG_CODE_CHARSET for c in body8):
        raise ValueError(f"organisation code body must be 8 characters 0-9A-Z, got {body8!r}")
    total = sum(ORG_CODE_CHARSET.index(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_character(first17: str) -> str:
    """Return the GB 32100 check character (position 18) for the first 17 characters.

    ``31 - (sum(value * weight) mod 31)``, where 31 is written ``0``.
    """
    first17 = first17.upper()
    if len(first17) != 17 or any(c not in _CHAR_VALUE for c in first17):
        raise ValueError(f"need 17 characters from {CHARSET}, got {first17!r}")
    total = sum(_CHAR_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _char_error(position: int, expected: str, actual: str, what: str) -> str:
    return _("Character %(position)d should be '%(expected)s' (%(what)s), not '%(actual)s'.") % {
        "position": position,
        "expected": expected,
        "what": what,
        "actual": actual,
    }


def validate_credit_code(value: str) -> str:
    """Validate a unified social credit code and return it normalised.

    Surrounding whitespace is stripped and letters are upper-cased. Raises
    :class:`CreditCodeError` describing the first problem found.
    """
    code = value.strip().upper()

    if len(code) != LENGTH:
        raise CreditCodeError(
            value,
            "wrong_length",
            _("Must be %(expected)d characters, got %(actual)d.")
            % {"expected": LENGTH, "actual": len(code)},
        )

    for position, char in enumerate(code, start=1):
        if char not in _CHAR_VALUE:
            raise CreditCodeError(
                value,
                "bad_character",
                _(
                    "Character %(position)d ('%(char)s') is not allowed: only digits and "
                    "the letters %(letters)s may be used."
                )
                % {"position": position, "char": char, "letters": CHARSET[10:]},
                position,
            )

    authority, category = code[0], code[1]
    categories = CATEGORIES_BY_AUTHORITY.get(authority)
    if categories is None:
        raise CreditCodeError(
            value,
            "bad_registration_authority",
            _(
                "Character 1 should be a registration authority code (one of %(allowed)s), "
                "not '%(actual)s'."
            )
            % {"allowed": ", ".join(CATEGORIES_BY_AUTHORITY), "actual": authority},
            1,
        )
    if category not in categories:
        raise CreditCodeError(
            value,
            "bad_category",
            _(
                "Character 2 should be an organisation category allowed for registration "
                "authority '%(authority)s' (one of %(allowed)s), not '%(actual)s'."
            )
            % {
                "authority": authority,
                "allowed": ", ".join(sorted(categories)),
                "actual": category,
            },
            2,
        )

    division = code[2:8]
    bad_digit = next((i for i, c in enumerate(division) if not c.isdigit()), None)
    if bad_digit is not None or division[:2] not in PROVINCE_PREFIXES:
        raise CreditCodeError(
            value,
            "bad_division",
            _(
                "Characters 3-8 should be an administrative division code (six digits "
                "starting with a province code), not '%(actual)s'."
            )
            % {"actual": division},
            3 + (bad_digit or 0),
        )

    expected = org_code_check_character(code[8:16])
    if code[16] != expected:
        raise CreditCodeError(
            value,
            "bad_org_code_check",
            _char_error(17, expected, code[16], _("organisation code check character")),
            17,
        )

    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            value,
            "bad_check_character",
            _char_error(18, expected, code[17], _("check character")),
            18,
        )

    return code


def make_credit_code(division: str, body8: str, authority: str = "9", category: str = "1") -> str:
    """Build a valid credit code from its parts, computing both check characters.

    Raises :class:`ValueError` if a part has the wrong length (or the body is not
    0-9A-Z) and
    :class:`CreditCodeError` if the parts do not form a valid code (for example a
    body containing I, O, Z, S or V, or an unknown division prefix).
    """
    body8 = body8.upper()
    parts = {"authority": authority, "category": category, "division": division, "body8": body8}
    for (name, part), length in zip(parts.items(), (1, 1, 6, 8), strict=True):
        if len(part) != length:
            raise ValueError(f"{name} must be {length} characters, got {part!r}")
    first17 = f"{authority}{category}{division}{body8}".upper() + org_code_check_character(body8)
    # With a bad character in first17 the validator stops there, so "?" is never reported.
    valid_chars = all(c in _CHAR_VALUE for c in first17)
    check = credit_code_check_character(first17) if valid_chars else "?"
    return validate_credit_code(first17 + check)
