"""Tests for the GB 32100-2015 unified social credit code validator.

No database needed. The example codes below are built from first principles and their check
characters computed by hand in the comments, rather than copied from memory.
"""

import random

import pytest
from django.utils import translation

from tirebrain.orgs.creditcode import (
    CATEGORIES_BY_AUTHORITY,
    CHARSET,
    PROVINCE_PREFIXES,
    CreditCodeError,
    credit_code_check_character,
    make_credit_code,
    org_code_check_character,
    validate_credit_code,
)

# Example A: authority 9 (工商), category 1 (企业), division 110108 (北京市海淀区), body 12345678.
#   GB 11714, weights 3 7 9 10 5 8 4 2:
#     1*3 + 2*7 + 3*9 + 4*10 + 5*5 + 6*8 + 7*4 + 8*2 = 3+14+27+40+25+48+28+16 = 201
#     201 mod 11 = 3, 11 - 3 = 8                                  -> position 17 is '8'
#   GB 32100 over "91110108123456788", weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
#     9*1 + 1*3 + 1*9 + 1*27 + 0*19 + 1*26 + 0*16 + 8*17 + 1*20 + 2*29 + 3*25 + 4*13 + 5*8
#     + 6*24 + 7*10 + 8*30 + 8*28
#     = 9+3+9+27+0+26+0+136+20+58+75+52+40+144+70+240+224 = 1133
#     1133 mod 31 = 17 (31*36 = 1116), 31 - 17 = 14 -> CHARSET[14] = 'E' -> position 18 is 'E'
CODE_A = "91110108123456788E"

# Example B: authority 5 (民政), category 3 (基金会), division 440300 (深圳市), body MA5DXK2P.
#   GB 11714 values M=22 A=10 5 D=13 X=33 K=20 2 P=25:
#     22*3 + 10*7 + 5*9 + 13*10 + 33*5 + 20*8 + 2*4 + 25*2
#     = 66+70+45+130+165+160+8+50 = 694
#     694 mod 11 = 1 (11*63 = 693), 11 - 1 = 10 -> 'X'          -> position 17 is 'X'
#   GB 32100 values (CHARSET index) M=21 A=10 D=13 X=29 K=19 P=23 over "53440300MA5DXK2PX":
#     5*1 + 3*3 + 4*9 + 4*27 + 0*19 + 3*26 + 0*16 + 0*17 + 21*20 + 10*29 + 5*25 + 13*13
#     + 29*8 + 19*24 + 2*10 + 23*30 + 29*28
#     = 5+9+36+108+0+78+0+0+420+290+125+169+232+456+20+690+812 = 3450
#     3450 mod 31 = 9 (31*111 = 3441), 31 - 9 = 22 -> CHARSET[22] = 'N' -> position 18 is 'N'
CODE_B = "53440300MA5DXK2PXN"

# Example C: like A but division 110107 (北京市石景山区), exercising "31 -> 0".
#   Only position 8 changes (8 -> 7, weight 17): 1133 - 17 = 1116 = 31*36, 1116 mod 31 = 0,
#   31 - 0 = 31 -> written '0'                                    -> position 18 is '0'
CODE_C = "911101071234567880"

# Organisation code body whose check is "11 -> 0": like A's body but last character 1:
#   201 - 8*2 + 1*2 = 187 = 11*17, 187 mod 11 = 0, 11 - 0 = 11 -> written '0'
BODY_CHECK_ZERO = "12345671"


def test_hand_computed_org_code_check_characters():
    assert org_code_check_character("12345678") == "8"
    assert org_code_check_character("MA5DXK2P") == "X"
    assert org_code_check_character(BODY_CHECK_ZERO) == "0"
    assert org_code_check_character("ma5dxk2p") == "X"


def test_hand_computed_credit_code_check_characters():
    assert credit_code_check_character(CODE_A[:17]) == "E"
    assert credit_code_check_character(CODE_B[:17]) == "N"
    assert credit_code_check_character(CODE_C[:17]) == "0"


@pytest.mark.parametrize("code", [CODE_A, CODE_B, CODE_C])
def test_hand_computed_codes_are_valid(code):
    assert validate_credit_code(code) == code


def test_make_credit_code_builds_the_hand_computed_codes():
    assert make_credit_code("110108", "12345678") == CODE_A
    assert make_credit_code("440300", "MA5DXK2P", authority="5", category="3") == CODE_B
    assert make_credit_code("110107", "12345678", "9", "1") == CODE_C


def test_charset_has_31_characters_without_confusable_letters():
    assert len(CHARSET) == len(set(CHARSET)) == 31
    assert not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("91110108123456788e", CODE_A),
        ("  91110108123456788E\n", CODE_A),
        ("\t53440300ma5dxk2pxn ", CODE_B),
    ],
)
def test_case_and_surrounding_whitespace_are_normalised(value, expected):
    assert validate_credit_code(value) == expected


@pytest.mark.parametrize(
    "value, reason, position",
    [
        ("91110108123456788", "wrong_length", None),
        ("91110108123456788EE", "wrong_length", None),
        ("", "wrong_length", None),
        ("9111 0108123456788E", "wrong_length", None),  # inner space is not stripped
        ("9111010812345678OE", "bad_character", 17),  # letter O
        ("I1110108123456788E", "bad_character", 1),
        ("91110108-23456788E", "bad_character", 9),
        ("911101081234567S8E", "bad_character", 16),
        ("91110108123456788Z", "bad_character", 18),
        ("B1110108123456788E", "bad_registration_authority", 1),
        ("01110108123456788E", "bad_registration_authority", 1),
        ("94110108123456788E", "bad_category", 2),  # 工商 has categories 1, 2, 3 only
        ("Y2110108123456788E", "bad_category", 2),  # 其他 has category 1 only
        ("91000108123456788E", "bad_division", 3),  # no province 00
        ("91160108123456788E", "bad_division", 3),  # no province 16
        ("91990108123456788E", "bad_division", 3),
        ("911A0108123456788E", "bad_division", 4),
        ("91110X08123456788E", "bad_division", 6),
        ("91110108123456787E", "bad_org_code_check", 17),  # should be 8
        ("53440300MA5DXK2P0N", "bad_org_code_check", 17),  # should be X
        ("91110108123456788F", "bad_check_character", 18),  # should be E
        ("911101071234567881", "bad_check_character", 18),  # should be 0
    ],
)
def test_each_reason_and_position(value, reason, position):
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(value)
    err = excinfo.value
    assert isinstance(err, ValueError)
    assert err.reason == reason
    assert err.position == position
    assert err.code == value
    assert str(err) == err.message
    assert err.message


@pytest.mark.parametrize(
    "value, message",
    [
        ("91110108123456788", "Must be 18 characters, got 17."),
        ("91110108123456788F", "Character 18 should be 'E' (check character), not 'F'."),
        (
            "91110108123456787E",
            "Character 17 should be '8' (organisation code check character), not '7'.",
        ),
    ],
)
def test_messages_say_what_is_wrong_and_where(value, message):
    with translation.override("en"), pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(value)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("9111010812345678OE", "Character 17 ('O')"),
        ("B1110108123456788E", "Character 1 "),
        ("94110108123456788E", "Character 2 "),
        ("91160108123456788E", "'160108'"),
    ],
)
def test_other_messages_name_the_position(value, fragment):
    with translation.override("en"), pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(value)
    assert fragment in excinfo.value.message


@pytest.mark.parametrize("code", [CODE_A, CODE_B])
def test_every_single_character_change_is_detected(code):
    alphabet = CHARSET + "IOZSV- "
    changed = 0
    for index in range(len(code)):
        for char in alphabet:
            if char.upper() == code[index]:
                continue
            mutated = code[:index] + char + code[index + 1 :]
            with pytest.raises(CreditCodeError):
                validate_credit_code(mutated)
            changed += 1
    assert changed == 18 * (len(alphabet) - 1)


@pytest.mark.parametrize("code", [CODE_A, CODE_B])
def test_check_character_alone_detects_every_substitution_in_first_17(code):
    # The mod-31 property, independent of the other checks: 31 is prime and no weight is 0 mod 31.
    first17 = code[:17]
    for index in range(17):
        for char in CHARSET:
            if char != first17[index]:
                mutated = first17[:index] + char + first17[index + 1 :]
                assert credit_code_check_character(mutated) != code[17], (index, char)


def _sample_codes():
    rng = random.Random(2015)
    codes = [CODE_A, CODE_B, CODE_C]
    prefixes = sorted(PROVINCE_PREFIXES)
    for _ in range(50):
        division = rng.choice(prefixes) + "".join(rng.choices("0123456789", k=4))
        codes.append(make_credit_code(division, "".join(rng.choices(CHARSET, k=8))))
    return codes


def test_adjacent_transpositions_in_first_17_are_detected():
    # Weights satisfy w[i+1] = 3 * w[i] (mod 31), so swapping different characters a, b at
    # positions i, i+1 changes the sum by (a - b) * (w[i] - w[i+1]) = (a - b) * -2 * w[i],
    # which is non-zero mod 31. Swaps involving position 18 are not guaranteed and not tested.
    checked = 0
    for code in _sample_codes():
        for index in range(16):
            a, b = code[index], code[index + 1]
            if a == b:
                continue
            swapped = code[:index] + b + a + code[index + 2 :]
            assert credit_code_check_character(swapped[:17]) != code[17], (code, index)
            with pytest.raises(CreditCodeError):
                validate_credit_code(swapped)
            checked += 1
    assert checked > 500


def test_make_credit_code_round_trips_1000_random_bodies():
    rng = random.Random(42)
    prefixes = sorted(PROVINCE_PREFIXES)
    pairs = [(a, c) for a, cats in CATEGORIES_BY_AUTHORITY.items() for c in sorted(cats)]
    seen = set()
    for _ in range(1000):
        division = rng.choice(prefixes) + "".join(rng.choices("0123456789", k=4))
        body = "".join(rng.choices(CHARSET, k=8))
        authority, category = rng.choice(pairs)
        code = make_credit_code(division, body, authority, category)
        assert validate_credit_code(code) == code
        assert validate_credit_code(f" {code.lower()} ") == code
        assert code[0] == authority
        assert code[1] == category
        assert code[2:8] == division
        assert code[8:16] == body
        assert code[16] == org_code_check_character(body)
        assert code[17] == credit_code_check_character(code[:17])
        seen.add(code)
    assert len(seen) == 1000


def test_make_credit_code_is_deterministic():
    assert make_credit_code("370000", "16304484") == make_credit_code("370000", "16304484")


def test_make_credit_code_rejects_bad_parts():
    with pytest.raises(CreditCodeError) as excinfo:
        make_credit_code("370200", "MA3CIK2P")  # I is not in the credit code character set
    assert (excinfo.value.reason, excinfo.value.position) == ("bad_character", 13)
    with pytest.raises(CreditCodeError) as excinfo:
        make_credit_code("990000", "12345678")
    assert excinfo.value.reason == "bad_division"
    with pytest.raises(CreditCodeError) as excinfo:
        make_credit_code("370200", "12345678", authority="9", category="9")
    assert excinfo.value.reason == "bad_category"
    for args in [("37020", "12345678"), ("370200", "1234567"), ("370200", "12345678", "91")]:
        with pytest.raises(ValueError):
            make_credit_code(*args)


def test_authority_category_table():
    assert {a: "".join(sorted(c)) for a, c in CATEGORIES_BY_AUTHORITY.items()} == {
        "1": "1239",
        "2": "19",
        "3": "123459",
        "4": "19",
        "5": "1239",
        "6": "12",
        "7": "1239",
        "8": "19",
        "9": "123",
        "A": "19",
        "N": "1239",
        "Y": "1",
    }


@pytest.mark.parametrize("authority", sorted(CATEGORIES_BY_AUTHORITY))
def test_every_category_is_accepted_or_rejected_per_table(authority):
    for category in CHARSET:
        if category in CATEGORIES_BY_AUTHORITY[authority]:
            code = make_credit_code("370200", "12345678", authority, category)
            assert validate_credit_code(code) == code
        else:
            with pytest.raises(CreditCodeError) as excinfo:
                make_credit_code("370200", "12345678", authority, category)
            assert (excinfo.value.reason, excinfo.value.position) == ("bad_category", 2)


def test_province_prefixes():
    assert len(PROVINCE_PREFIXES) == 34
    for prefix in PROVINCE_PREFIXES:
        validate_credit_code(make_credit_code(prefix + "0000", "12345678"))
    for prefix in ["00", "10", "16", "20", "24", "30", "38", "40", "47", "55", "60", "66", "99"]:
        code = "91" + prefix + "0000" + "12345678" + "8"
        code += credit_code_check_character(code)
        with pytest.raises(CreditCodeError) as excinfo:
            validate_credit_code(code)
        assert (excinfo.value.reason, excinfo.value.position) == ("bad_division", 3)
