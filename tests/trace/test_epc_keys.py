"""The event store's match key and EPCIS patterns as key prefixes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tirebrain.trace import epc
from tirebrain.trace.epc import EpcError, match_key, pattern_prefixes

pytestmark = pytest.mark.usefixtures("english")

KEY = "https://id.gs1.org/01/80614141123458/21/6789"


def selects(value: str, key: str) -> bool:
    """Whether a MATCH_epc value selects an identifier stored under ``key``, as the store's
    query does: the exact key, or any of the prefixes."""
    prefixes = pattern_prefixes(value)
    if prefixes is None:
        return key == match_key(value)
    return any(key.startswith(prefix) for prefix in prefixes)


# ---------------------------------------------------------------------------------------------
# match_key


@pytest.mark.parametrize(
    "spelling",
    [
        "urn:epc:id:sgtin:0614141.812345.6789",
        "  URN:EPC:ID:SGTIN:0614141.812345.6789\t",
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "urn:epc:tag:sgtin-96:0.0614141.812345.6789",
        "urn:epc:tag:sgtin-198:1.0614141.812345.6789",
        "3074257BF7194E4000001A85",
        "3074257bf7194e4000001a85",
        epc.encode("80614141123458", "6789", 7, filter=1, scheme="sgtin-198").hex,
        KEY,
        "http://id.gs1.org/01/80614141123458/21/6789",
        "https://tyres.example.cn/dl/01/80614141123458/21/6789?17=271231#x",
        "https://id.gs1.org/01/80614141123458/10/L42/21/%36789",
        "(01)80614141123458(21)6789",
        "urn:epc:idpat:sgtin:0614141.812345.6789",
    ],
)
def test_every_spelling_of_one_sgtin_has_one_key(spelling):
    assert match_key(spelling) == KEY


def test_a_different_company_prefix_split_is_the_same_gtin_and_key():
    # The URN says where the company prefix ends; the GTIN, and so the key, does not.
    assert match_key("urn:epc:id:sgtin:061414112.8345.6789") == KEY


def test_escaped_serials_have_one_spelling_in_the_key():
    key = "https://id.gs1.org/01/70614141123451/21/32a%2Fb"
    for spelling in (
        "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
        "urn:epc:id:sgtin:0614141.712345.32a%2fb",
        "urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb",
        "3674257BF6B7A659B2C2BF1000000000000000000000000000",
        "https://id.gs1.org/01/70614141123451/21/32a%2fb",
        "https://id.gs1.org/01/70614141123451/21/%33%32%61%2F%62",
    ):
        assert match_key(spelling) == key
    assert match_key("urn:epc:id:sgtin:0614141.712345.32a") != key
    assert match_key("urn:epc:id:sgtin:0614141.712345.!x") == (
        "https://id.gs1.org/01/70614141123451/21/%21x"
    )


@pytest.mark.parametrize(
    "identifier",
    [
        "urn:epc:id:sscc:0614141.1234567890",
        "urn:epc:id:sgln:0614141.00777.0",
        "urn:epc:id:grai:0614141.12345.400",
        "urn:epc:class:lgtin:4012345.012345.998877",
        "urn:epc:idpat:sgtin:4012345.044444.*",
        "https://id.gs1.org/01/04012345666663",
        "https://id.gs1.org/01/00614141777778/10/987",
        "https://id.gs1.org/00/106141411234567897",
        "https://example.com/tyres/42",
        "urn:epc:raw:96.x3074257BF7194E4000001A85",
        "3114257BF7194E4000001A85",  # an SSCC-96 tag
        "30ABC",
        "tyre 42",
    ],
)
def test_other_identifiers_are_their_own_key(identifier):
    assert match_key(f" {identifier} ") == identifier


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("urn:epc:id:sgtin:0614141.81234.6789", "digits_mismatch"),
        ("urn:epc:id:sgtin:0614141.812345.a%23", "bad_escape"),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.0123", "serial_leading_zero"),
        ("https://id.gs1.org/01/80614141123459/21/6789", "bad_check_digit"),
        ("3074257BF7194E4000001A8G", "bad_hex"),
        ("30FC257BF7194E4000001A85", "bad_partition"),
        ("urn:epc:idpat:sgtin", "bad_pattern"),
    ],
)
def test_a_malformed_sgtin_is_refused_not_stored_under_a_wrong_key(spelling, code):
    with pytest.raises(EpcError) as excinfo:
        match_key(spelling)
    assert excinfo.value.code == code


def _identifiers(node):
    """Every EPC, parent and EPC class an EPCIS JSON document names."""
    if isinstance(node, dict):
        for field, value in node.items():
            if field in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
                yield from value
            elif field in ("parentID", "epcClass"):
                yield value
            else:
                yield from _identifiers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _identifiers(item)


def test_every_identifier_in_gs1s_example_documents_has_a_key():
    folder = Path(__file__).parent / "gs1" / "JSON"
    found = {
        i for path in folder.rglob("*.json*") for i in _identifiers(orjson.loads(path.read_bytes()))
    }
    sgtins = {i for i in found if i.startswith("urn:epc:id:sgtin:") or "/21/" in i}
    assert len(sgtins) > 20
    for identifier in found:
        key = match_key(identifier)
        if identifier in sgtins:
            assert key.startswith(epc.DIGITAL_LINK_STEM)
            assert epc.decode(key)[:2] == epc.decode(identifier)[:2]  # the same GTIN and serial
        else:
            assert key == identifier
    assert match_key("urn:epc:id:sgtin:4012345.011111.987") == (
        "https://id.gs1.org/01/04012345111118/21/987"  # GS1's own Digital Link of it
    )


# ---------------------------------------------------------------------------------------------
# pattern_prefixes


@pytest.mark.parametrize(
    "value",
    [
        "urn:epc:id:sgtin:0614141.812345.6789",
        KEY,
        "3074257BF7194E4000001A85",
        "urn:epc:id:sscc:0614141.1234567890",
        "urn:epc:idpat:sgtin:0614141.812345.6789",
        "urn:epc:idpat:sgtin:0614141.812345.a*b",  # "*" inside a serial is a character
    ],
)
def test_an_exact_value_is_not_a_pattern(value):
    assert pattern_prefixes(value) is None


def test_an_item_pattern_is_the_prefix_of_its_gtin():
    assert pattern_prefixes("urn:epc:idpat:sgtin:0614141.812345.*") == [
        "https://id.gs1.org/01/80614141123458/21/"
    ]
    assert epc.gtin_key_prefix("80614141123458") == "https://id.gs1.org/01/80614141123458/21/"


def test_a_company_pattern_has_one_prefix_per_indicator_digit():
    prefixes = pattern_prefixes("urn:epc:idpat:sgtin:0614141.*.*")
    assert prefixes == [f"https://id.gs1.org/01/{d}0614141" for d in "0123456789"]


def test_the_any_sgtin_pattern():
    assert pattern_prefixes(" urn:epc:idpat:sgtin:*.*.* ") == ["https://id.gs1.org/01/"]


@pytest.mark.parametrize(
    ("pattern", "selected", "not_selected"),
    [
        (
            "urn:epc:idpat:sgtin:0614141.812345.*",
            ["urn:epc:id:sgtin:0614141.812345.1", KEY, "3074257BF7194E4000001A85"],
            ["urn:epc:id:sgtin:0614141.812346.6789", "urn:epc:id:sgtin:0614141.712345.6789"],
        ),
        (
            "urn:epc:idpat:sgtin:0614141.*.*",
            [
                "urn:epc:id:sgtin:0614141.812345.6789",
                "urn:epc:id:sgtin:0614141.012345.1",
                "urn:epc:id:sgtin:0614141.999999.Z",
                "https://id.gs1.org/01/00614141777778/21/1",
            ],
            ["urn:epc:id:sgtin:0614142.812345.6789", "urn:epc:id:sgtin:4012345.011111.987"],
        ),
        (
            "urn:epc:idpat:sgtin:*.*.*",
            ["urn:epc:id:sgtin:4012345.011111.987", KEY],
            ["urn:epc:id:sscc:0614141.1234567890"],
        ),
        (
            "urn:epc:idpat:sgtin:0614141.812345.6789",
            ["urn:epc:id:sgtin:0614141.812345.6789", KEY],
            ["urn:epc:id:sgtin:0614141.812345.67890"],
        ),
        (
            "urn:epc:idpat:sscc:0614141.*",
            ["urn:epc:id:sscc:0614141.1234567890"],
            ["urn:epc:id:sscc:0614142.1234567890", "urn:epc:id:sgln:0614141.00777.0"],
        ),
        (
            "urn:epc:idpat:sgln:0614141.00777.*",
            ["urn:epc:id:sgln:0614141.00777.0", "urn:epc:id:sgln:0614141.00777.12"],
            ["urn:epc:id:sgln:0614141.00888.0", "urn:epc:id:sgln:0614141.007770.0"],
        ),
        (
            "urn:epc:idpat:grai:*.*.*",
            ["urn:epc:id:grai:0614141.12345.400"],
            ["urn:epc:id:giai:0614141.12345400"],
        ),
    ],
)
def test_patterns_select_what_tds_says_they_match(pattern, selected, not_selected):
    for identifier in selected:
        assert selects(pattern, match_key(identifier)), identifier
    for identifier in not_selected:
        assert not selects(pattern, match_key(identifier)), identifier


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("urn:epc:idpat:sgtin:0614141.*.6789", "bad_pattern"),
        ("urn:epc:idpat:sgtin:*.812345.*", "bad_pattern"),
        ("urn:epc:idpat:sgtin:0614141.*", "bad_pattern"),
        ("urn:epc:idpat:sgtin:.*.*", "bad_pattern"),
        ("urn:epc:idpat:sgtin", "bad_pattern"),
        ("urn:epc:idpat:sscc:*.1234567890", "bad_pattern"),
        ("urn:epc:idpat:sgtin:06141.*.*", "bad_company_prefix"),
        ("urn:epc:idpat:sgtin:0614141.81234.*", "digits_mismatch"),
    ],
)
def test_bad_patterns_are_refused(pattern, code):
    with pytest.raises(EpcError) as excinfo:
        pattern_prefixes(pattern)
    assert excinfo.value.code == code


def test_the_fast_path_for_plain_urns_gives_the_same_key_as_the_full_reader():
    import random

    from tirebrain.trace.epc.keys import _plain_sgtin_urn_key
    from tirebrain.trace.epc.parsing import read_pure_identity_uri

    rng = random.Random(5)
    for _ in range(2000):
        length = rng.randint(6, 12)
        company = "".join(rng.choice("0123456789") for _ in range(length))
        item = "".join(rng.choice("0123456789") for _ in range(13 - length))
        serial = "".join(rng.choice("0123456789ABCxyz") for _ in range(rng.randint(1, 20)))
        urn = f"urn:epc:id:sgtin:{company}.{item}.{serial}"
        assert _plain_sgtin_urn_key(urn) == read_pure_identity_uri(urn).digital_link
    for odd in ("urn:epc:id:sgtin:0614141.81234.1", "urn:epc:id:sgtin:0614141.812345.a%2Fb"):
        assert _plain_sgtin_urn_key(odd) is None
