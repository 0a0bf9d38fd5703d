"""``tirebrain epc decode|encode``: every form on stdout, a refusal on stderr with status 2."""

from __future__ import annotations

import orjson
import pytest

from tirebrain.cli import main

pytestmark = pytest.mark.usefixtures("english")

TDS_EXAMPLE = """\
gtin: 80614141123458
serial: 6789
element_string: (01)80614141123458(21)6789
digital_link: https://id.gs1.org/01/80614141123458/21/6789
company_prefix: 0614141
item_reference: 812345
partition: 5
pure_identity_uri: urn:epc:id:sgtin:0614141.812345.6789
scheme: sgtin-96
filter: 3
tag_uri: urn:epc:tag:sgtin-96:3.0614141.812345.6789
hex: 3074257BF7194E4000001A85
"""


def run(capsys, *argv: str) -> str:
    main(["epc", *argv])
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def refused(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["epc", *argv])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize(
    "given",
    ["3074257BF7194E4000001A85", "urn:epc:tag:sgtin-96:3.0614141.812345.6789"],
)
def test_decode_prints_every_form(capsys, given):
    assert run(capsys, "decode", given) == TDS_EXAMPLE


def test_decode_json_is_one_object(capsys):
    out = run(capsys, "decode", "3074257BF7194E4000001A85", "--json")
    assert out.count("\n") == 1
    forms = orjson.loads(out)
    assert forms["pure_identity_uri"] == "urn:epc:id:sgtin:0614141.812345.6789"
    assert (forms["filter"], forms["partition"]) == (3, 5)
    assert list(forms) == [line.split(": ")[0] for line in TDS_EXAMPLE.splitlines()]


def test_decode_a_digital_link_prints_what_it_says(capsys):
    link = "https://id.gs1.org/01/70614141123451/21/32a%2Fb"
    assert run(capsys, "decode", link).splitlines() == [
        "gtin: 70614141123451",
        "serial: 32a/b",
        "element_string: (01)70614141123451(21)32a/b",
        f"digital_link: {link}",
    ]
    with_prefix = run(capsys, "decode", link, "--company-prefix-length", "7")
    assert "pure_identity_uri: urn:epc:id:sgtin:0614141.712345.32a%2Fb\n" in with_prefix
    assert "hex:" not in with_prefix


def test_encode_prints_every_form_of_the_tag(capsys):
    out = run(
        capsys, "encode", "--gtin", "80614141123458", "--serial", "6789",
        "--company-prefix-length", "7", "--filter", "3",
    )  # fmt: skip
    assert out == TDS_EXAMPLE


def test_encode_chooses_sgtin_198_for_an_alphanumeric_serial(capsys):
    out = run(
        capsys, "encode", "--gtin", "9506000134352", "--serial", "32a/b",
        "--company-prefix-length", "11", "--filter", "3", "--json",
    )  # fmt: skip
    forms = orjson.loads(out)
    assert forms["tag_uri"] == "urn:epc:tag:sgtin-198:3.95060001343.05.32a%2Fb"
    assert forms["hex"] == "3666C4409047E159B2C2BF100000000000000000000000000000"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["decode", "3174257BF7194E4000001A85"], "header 31"),
        (["decode", "urn:epc:id:sgtin:0614141.81234.6789"], "item reference"),
        (["decode", "https://id.gs1.org/01/80614141123459/21/1"], "should be 8"),
        (
            ["encode", "--gtin", "80614141123458", "--serial", "0123",
             "--company-prefix-length", "7", "--scheme", "sgtin-96"],
            "starting with 0",
        ),
        (
            ["encode", "--gtin", "80614141123458", "--serial", "1",
             "--company-prefix-length", "7", "--filter", "8"],
            "filter value “8”",
        ),
        (
            ["encode", "--gtin", "80614141123458", "--serial", "1",
             "--company-prefix-length", "13"],
            "6 to 12 digits",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_on_stderr_and_status_2(capsys, argv, words):
    err = refused(capsys, *argv)
    assert err.count("\n") == 1
    assert err.startswith("CommandError: ")
    assert words in err


def test_a_missing_or_unknown_option_is_a_usage_error_with_status_2(capsys):
    err = refused(capsys, "encode", "--gtin", "80614141123458", "--serial", "1")
    assert "--company-prefix-length" in err
    err = refused(
        capsys, "encode", "--gtin", "80614141123458", "--serial", "1",
        "--company-prefix-length", "7", "--scheme", "sgtin-64",
    )  # fmt: skip
    assert "sgtin-64" in err
