"""The SGTIN codec: published test vectors, round trips through every form, every refusal."""

from __future__ import annotations

import pickle

import pytest

from tirebrain.products.gtin import check_digit, normalise_gtin
from tirebrain.trace import epc
from tirebrain.trace.epc import SGTIN_96, SGTIN_198, EpcError, Sgtin
from tirebrain.trace.epc.charset import CHARSET_82

pytestmark = pytest.mark.usefixtures("english")

# ---------------------------------------------------------------------------------------------
# Published vectors: (hex, tag URI, GTIN, serial), each read in both directions.

VECTORS = [
    # GS1 EPC Tag Data Standard: the SGTIN-96 worked example (TDS 1.x §14.5.1 and Annex E.3,
    # repeated in TDS 2.x), GTIN 80614141123458 serial 6789, filter 3, company prefix 0614141.
    ("3074257BF7194E4000001A85", "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
     "80614141123458", "6789"),
    # TDS 2.3 Annex E.3, SGTIN-96 with an 11-digit company prefix (partition 1), as transcribed
    # in dannyhaak/TagDataTranslation TagDataTranslationUnitTest/TDS23Tests.cs.
    ("3066C4409047E140075BCD15", "urn:epc:tag:sgtin-96:3.95060001343.05.123456789",
     "09506000134352", "123456789"),
    # TDS 2.3 Annex E.3, SGTIN-198 with an escaped "/" (same source); 13 words = 52 hex digits.
    ("3666C4409047E159B2C2BF100000000000000000000000000000",
     "urn:epc:tag:sgtin-198:3.95060001343.05.32a%2Fb", "09506000134352", "32a/b"),
    # nedap/retail-epcpy tests/epc_schemes/test_sgtin.py and README (SGTIN-198, GTIN-8 range,
    # escaped "%" and "&" among raw "." and ":").
    ("36300001DB011169E5E5A70EC000000000000000000000000000",
     "urn:epc:tag:sgtin-198:1.00000950.01093.Serial", "00000095010939", "Serial"),
    ("362579D5D4ADB6172574B98B34C0000000000000000000000000",
     "urn:epc:tag:sgtin-198:1.50712192365.88..%25:.13%26", "85071219236581", ".%:.13&"),
    ("36A579D5D4ADB6172574B98B34C0000000000000000000000000",
     "urn:epc:tag:sgtin-198:5.50712192365.88..%25:.13%26", "85071219236581", ".%:.13&"),
    ("30C579D5D4ADB60000000000", "urn:epc:tag:sgtin-96:6.50712192365.88.0",
     "85071219236581", "0"),
    ("36C579D5D4ADB618000000000000000000000000000000000000",
     "urn:epc:tag:sgtin-198:6.50712192365.88.0", "85071219236581", "0"),
    # The PyPI package "epc", tests/test_sgtin.py: partitions 6, 5, 4 and 0, and SGTIN-198 with
    # the characters that need escapes.
    ("301800004000004000000001", "urn:epc:tag:sgtin-96:0.000001.0000001.1",
     "00000010000014", "1"),
    ("301401388000004000000001", "urn:epc:tag:sgtin-96:0.0020000.000001.1",
     "00020000000015", "1"),
    ("30012A05F200004000000000", "urn:epc:tag:sgtin-96:0.320000000000.1.0",
     "13200000000008", "0"),
    ("3010F42400186A0003149957", "urn:epc:tag:sgtin-96:0.32000000.25000.51681623",
     "23200000050000", "51681623"),
    ("36012A05F2000058800000000000000000000000000000000000",
     "urn:epc:tag:sgtin-198:0.320000000000.1.1", "13200000000008", "1"),
    ("3618000040000050A24A993A852A95AC5AB97B062C8000000000",
     "urn:epc:tag:sgtin-198:0.000001.0000001.!%22%25%26'()*+,-.%2F012", "00000010000014",
     "!\"%&'()*+,-./012"),
]  # fmt: skip


@pytest.mark.parametrize(("hex_", "tag_uri", "gtin", "serial"), VECTORS)
def test_published_vectors_decode_and_encode(hex_, tag_uri, gtin, serial):
    from_hex = epc.decode(hex_)
    assert from_hex.tag_uri == tag_uri
    assert (from_hex.gtin, from_hex.serial) == (gtin, serial)
    assert epc.decode(hex_.lower()) == from_hex
    from_uri = epc.decode(tag_uri)
    assert from_uri == from_hex
    assert from_uri.hex == hex_
    again = epc.encode(
        gtin, serial, from_hex.company_prefix_length, filter=from_hex.filter,
        scheme=from_hex.scheme,
    )  # fmt: skip
    assert again.hex == hex_


def test_the_tds_worked_example_in_every_form():
    sgtin = epc.decode("3074257BF7194E4000001A85")
    assert sgtin == Sgtin("8061414112345", "6789", 7, 3, SGTIN_96)
    assert sgtin.forms() == {
        "gtin": "80614141123458",
        "serial": "6789",
        "element_string": "(01)80614141123458(21)6789",
        "digital_link": "https://id.gs1.org/01/80614141123458/21/6789",
        "company_prefix": "0614141",
        "item_reference": "812345",
        "partition": 5,
        "pure_identity_uri": "urn:epc:id:sgtin:0614141.812345.6789",
        "scheme": "sgtin-96",
        "filter": 3,
        "tag_uri": "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "hex": "3074257BF7194E4000001A85",
    }


def test_tds_1x_sgtin_198_example_written_in_50_hex_digits():
    # TDS 1.x Annex E.3: urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb as 198 bits padded to
    # 200 (the TDS prints item reference 812345 there, an erratum every implementation notes).
    sgtin = epc.decode("3674257BF6B7A659B2C2BF1000000000000000000000000000")
    assert sgtin.tag_uri == "urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb"
    assert (sgtin.gtin, sgtin.serial) == ("70614141123451", "32a/b")
    assert sgtin.hex == "3674257BF6B7A659B2C2BF1000000000000000000000000000" + "00"


def test_fosstrak_tdt_vector_with_every_unescaped_punctuation_mark():
    # Fosstrak/fosstrak-tdt, TestTDTEngine.testAlphanumeric: partition 0 (12-digit company
    # prefix, item reference 9) and the 198 bits of the tag.
    bits = (
        "0011011001000000001111000011110000111100001111000011111001010000101001110101000010100"
        "1010101001010110101101010110001011100101111011101001110110111101101111100000000000000"
        "0000000000000000000000000000"
    )
    tag_uri = "urn:epc:tag:sgtin-198:2.064677154575.9.!'()*+-,.%2F:;=_"
    sgtin = epc.decode(tag_uri)
    assert sgtin.hex == f"{int(bits, 2) << 10:052X}"
    assert epc.decode(sgtin.hex) == sgtin
    assert sgtin.serial == "!'()*+-,./:;=_"
    assert sgtin.pure_identity_uri == "urn:epc:id:sgtin:064677154575.9.!'()*+-,.%2F:;=_"


# ---------------------------------------------------------------------------------------------
# Round trips


def _gtin(partition: int, digit: str) -> tuple[str, int]:
    """A GTIN whose company prefix and item reference fill partition ``partition`` with
    ``digit`` (all nines: the largest numbers the partition's bit fields must hold)."""
    body = digit * 13
    return body + check_digit(body), 12 - partition


SERIALS = {SGTIN_96: ["0", "274877906943"], SGTIN_198: ["A", "Tyre/2024-<A&B>?%\";'"]}


@pytest.mark.parametrize("partition", range(7))
@pytest.mark.parametrize("filter_", range(8))
@pytest.mark.parametrize("scheme", [SGTIN_96, SGTIN_198])
@pytest.mark.parametrize("digit", ["0", "9"])
def test_every_partition_and_filter_round_trips_through_every_form(
    partition, filter_, scheme, digit
):
    gtin, length = _gtin(partition, digit)
    for serial in SERIALS[scheme]:
        sgtin = epc.encode(gtin, serial, length, filter=filter_, scheme=scheme)
        value, bits = int(sgtin.hex, 16), len(sgtin.hex) * 4
        assert bits == (96 if scheme == SGTIN_96 else 208)
        assert value >> (bits - 8) == (0x30 if scheme == SGTIN_96 else 0x36)
        assert (value >> (bits - 11)) & 7 == filter_
        assert (value >> (bits - 14)) & 7 == partition == sgtin.partition
        assert epc.decode(sgtin.hex) == sgtin
        assert epc.decode(sgtin.tag_uri) == sgtin
        identity = sgtin._replace(filter=None, scheme=None)
        assert epc.decode(sgtin.pure_identity_uri) == identity
        for form in (sgtin.digital_link, sgtin.element_string):
            assert epc.decode(form, company_prefix_length=length) == identity
        assert (sgtin.gtin, sgtin.serial) == (gtin, serial)


def test_every_character_of_set_82_survives_every_form():
    assert len(CHARSET_82) == 82
    chars = sorted(CHARSET_82)
    for start in range(0, 82, 20):
        serial = "".join(chars[start : start + 20])
        sgtin = epc.encode("06901234567892", serial, 7, filter=1)
        assert sgtin.scheme == SGTIN_198
        for form in (sgtin.hex, sgtin.tag_uri):
            assert epc.decode(form) == sgtin
        assert epc.decode(sgtin.pure_identity_uri).serial == serial
        assert epc.decode(sgtin.digital_link).serial == serial
        assert epc.decode(sgtin.element_string).serial == serial


@pytest.mark.parametrize(
    ("serial", "in_epc_uri", "in_digital_link"),
    [
        ('"%&/<>?', "%22%25%26%2F%3C%3E%3F", "%22%25%26%2F%3C%3E%3F"),
        ("!'()*+,-.:;=_", "!'()*+,-.:;=_", "%21%27%28%29%2A%2B%2C-.%3A%3B%3D_"),
        ("AbC09", "AbC09", "AbC09"),
    ],
)
def test_uris_escape_serials_as_their_standards_say(serial, in_epc_uri, in_digital_link):
    sgtin = epc.encode("06901234567892", serial, 7)
    assert sgtin.pure_identity_uri == f"urn:epc:id:sgtin:6901234.056789.{in_epc_uri}"
    assert sgtin.tag_uri.endswith(f".{in_epc_uri}")
    assert sgtin.digital_link == f"https://id.gs1.org/01/06901234567892/21/{in_digital_link}"


def test_without_a_scheme_the_serial_chooses_it():
    assert epc.encode("06901234567892", "274877906943", 7).scheme == SGTIN_96
    for serial in ("274877906944", "0123", "A1"):
        assert epc.encode("06901234567892", serial, 7).scheme == SGTIN_198
    assert epc.decode("urn:epc:id:sgtin:6901234.056789.12").tag().scheme == SGTIN_96


def test_gtin_uses_the_products_check_digit():
    for gtin in ("96385074", "036000291452", "4006381333931", "10614141000415"):
        sgtin = epc.from_gtin(gtin, "1")
        assert sgtin.gtin == normalise_gtin(gtin)
        assert sgtin.forms() == {
            "gtin": normalise_gtin(gtin),
            "serial": "1",
            "element_string": f"(01){normalise_gtin(gtin)}(21)1",
            "digital_link": f"https://id.gs1.org/01/{normalise_gtin(gtin)}/21/1",
        }


def test_sgtin_uri():
    assert epc.sgtin_uri("80614141123458", "6789", 7) == "urn:epc:id:sgtin:0614141.812345.6789"
    assert epc.sgtin_uri("6901234567892", "a/b", 9) == "urn:epc:id:sgtin:690123456.0789.a%2Fb"


# ---------------------------------------------------------------------------------------------
# Digital Links and element strings


@pytest.mark.parametrize(
    "link",
    [
        "https://id.gs1.org/01/09506000134352/21/12345",
        "HTTP://example.com/products/tyres/01/09506000134352/21/12345",
        "https://id.example.cn/01/9506000134352/21/12345?17=261231&linkType=all#top",
        "https://id.gs1.org/01/09506000134352/22/2A/10/ABC%2F1/21/12345",
        "https://id.gs1.org/01/09506000134352/10/ABC/21/%31%32%33%34%35",
    ],
)
def test_digital_links_in_every_spelling_read_the_same(link):
    assert epc.decode(link) == Sgtin("0950600013435", "12345")


def test_digital_link_gtins_of_8_12_and_13_digits_become_14():
    assert epc.decode("https://id.gs1.org/01/96385074/21/1").gtin == "00000096385074"
    assert epc.decode("https://id.gs1.org/01/036000291452/21/1").gtin == "00036000291452"
    assert epc.decode("https://id.gs1.org/01/6901234567892/21/1").gtin == "06901234567892"


def test_digital_link_escapes_in_either_case():
    assert epc.decode("https://id.gs1.org/01/09506000134352/21/32a%2fb").serial == "32a/b"
    link = epc.decode("https://id.gs1.org/01/09506000134352/21/%41%2Bx+y")
    assert link.serial == "A+x+y"
    assert link.digital_link == "https://id.gs1.org/01/09506000134352/21/A%2Bx%2By"


@pytest.mark.parametrize(
    "link",
    [
        "https://id.gs1.org/01/09506000134352",
        "https://id.gs1.org/01/09506000134352/10/ABC",
        "https://id.gs1.org/00/106141411234567897",
        "https://example.com/21/12345",
        "https://example.com/01/09506000134352/21/12345/",
        "https://id.gs1.org/414/9520123456788/254/32a%2Fb",
    ],
)
def test_other_digital_links_are_not_sgtins(link):
    with pytest.raises(EpcError) as excinfo:
        epc.decode(link)
    assert excinfo.value.code == "unknown_format"


def test_element_string():
    sgtin = epc.decode("(01)80614141123458(21)6789", company_prefix_length=7)
    assert sgtin == Sgtin("8061414112345", "6789", 7)
    assert sgtin.pure_identity_uri == "urn:epc:id:sgtin:0614141.812345.6789"
    assert epc.decode("(01)80614141123458(21)a/b(21)").serial == "a/b(21)"


def test_case_and_spaces_around_are_tolerated_where_the_standards_allow():
    expected = epc.decode("urn:epc:id:sgtin:0614141.812345.6789")
    assert epc.decode("  URN:EPC:ID:SGTIN:0614141.812345.6789\n") == expected
    tag = epc.decode("urn:epc:tag:SGTIN-96:3.0614141.812345.6789")
    assert tag.scheme == SGTIN_96
    assert epc.decode("urn:epc:id:sgtin:0614141.812345.32a%2fb").serial == "32a/b"


def test_company_prefix_length_completes_only_the_forms_without_it():
    link = "https://id.gs1.org/01/80614141123458/21/6789"
    assert epc.decode(link, company_prefix_length=7).company_prefix == "0614141"
    assert epc.decode(link, company_prefix_length=9).company_prefix == "061414112"
    urn = "urn:epc:id:sgtin:0614141.812345.6789"
    assert epc.decode(urn, company_prefix_length=9).company_prefix_length == 7


# ---------------------------------------------------------------------------------------------
# Refusals


def _with_bits(hex_: str, shift: int, width: int, value: int) -> str:
    """``hex_`` with ``width`` bits at ``shift`` (from the right) replaced by ``value``."""
    number = int(hex_, 16) & ~(((1 << width) - 1) << shift) | value << shift
    return f"{number:0{len(hex_)}X}"


TDS_96 = "3074257BF7194E4000001A85"
TDS_198 = "3666C4409047E159B2C2BF100000000000000000000000000000"
# partition 6 (company prefix 20 bits, 6 digits; item reference 24 bits, 7 digits) and
# partition 0 (item reference 4 bits, 1 digit) of TDS_96
P6 = _with_bits(TDS_96, 82, 3, 6)
P0 = _with_bits(TDS_96, 82, 3, 0)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "empty", "empty"),
        ("   ", "empty", "empty"),
        ("hello world", "unknown_format", "not an SGTIN"),
        ("urn:epc:id:sscc:0614141.1234567890", "unknown_format", "not an SGTIN"),
        # hex
        ("3174257BF7194E4000001A85", "bad_header", "header 31"),
        ("3574257BF7194E4000001A85", "bad_header", "header 35"),
        ("3074257BF7194E4000001A", "bad_length", "24 hexadecimal digits, not 22"),
        ("3074257BF7194E4000001A8500", "bad_length", "not 26"),
        (TDS_198[:48], "bad_length", "50 or 52"),
        ("3074257BF7194E4000001A8G", "bad_hex", "hexadecimal"),
        ("3074_57BF7194E4000001A85", "bad_hex", "hexadecimal"),
        ("3074257BF7194E4000001A8 5", "bad_hex", "hexadecimal"),
        (_with_bits(TDS_96, 82, 3, 7), "bad_partition", "partition value 7"),
        (_with_bits(P6, 62, 20, 10**6), "company_prefix_overflow", "1000000 has more than"),
        (_with_bits(P0, 38, 4, 10), "item_reference_overflow", "10 has more than the 1 digits"),
        (_with_bits(TDS_198, 0, 10, 1), "bad_padding", "not all zero"),
        (_with_bits(TDS_198, 10 + 7 * 13, 7, 0x41), "bad_padding", "not all zero"),
        (_with_bits(TDS_198, 10 + 7 * 19, 7, 0x23), "bad_character", "“#”"),
        # EPC URIs
        ("urn:epc:id:sgtin:0614141.812345", "bad_syntax", "CP.IR.Serial"),
        ("urn:epc:tag:sgtin-96:3.0614141.812345", "bad_syntax", "F.CP.IR.Serial"),
        ("urn:epc:id:sgtin:0614141.81234.6789", "digits_mismatch", "of 6 digits, not 5"),
        ("urn:epc:id:sgtin:0614141.8123456.6789", "digits_mismatch", "of 6 digits, not 7"),
        ("urn:epc:id:sgtin:06141.81234567.1", "bad_company_prefix", "“06141”"),
        ("urn:epc:id:sgtin:0614141234567.8.1", "bad_company_prefix", "6 to 12 digits"),
        ("urn:epc:id:sgtin:0614141.8123A5.1", "bad_item_reference", "“8123A5”"),
        ("urn:epc:tag:sgtin-96:8.0614141.812345.6789", "bad_filter", "“8”"),
        ("urn:epc:tag:sgtin-96:.0614141.812345.6789", "bad_filter", "“”"),
        ("urn:epc:tag:sgtin-64:3.0614141.812345.6789", "bad_scheme", "sgtin-64"),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.274877906944", "serial_too_large", "38 bits"),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.12a", "serial_not_numeric", "“12a”"),
        ("urn:epc:tag:sgtin-96:3.0614141.812345.0123", "serial_leading_zero", "“0123”"),
        ("urn:epc:tag:sgtin-198:3.0614141.812345.", "empty_serial", "empty"),
        ("urn:epc:id:sgtin:0614141.812345." + "1" * 21, "serial_too_long", "21 characters"),
        ("urn:epc:id:sgtin:0614141.812345.a%23b", "bad_escape", "“%23”"),
        ("urn:epc:id:sgtin:0614141.812345.a%2", "bad_escape", "“%2”"),
        ("urn:epc:id:sgtin:0614141.812345.a/b", "unescaped_character", "written %2F"),
        ("urn:epc:id:sgtin:0614141.812345.a&b", "unescaped_character", "written %26"),
        ("urn:epc:id:sgtin:0614141.812345.a#b", "bad_character", "“#”"),
        ("urn:epc:id:sgtin:0614141.812345.轮胎", "bad_character", "“轮”"),
        # Digital Links and element strings
        ("https://id.gs1.org/01/80614141123459/21/6789", "bad_check_digit", "should be 8"),
        ("https://id.gs1.org/01/806141411234/21/6789", "bad_check_digit", "should be 7"),
        ("https://id.gs1.org/01/8061414112345/21/6789", "bad_check_digit", "should be 7"),
        ("https://id.gs1.org/01/80614141123/21/6789", "bad_gtin", "8, 12, 13 or 14"),
        ("https://id.gs1.org/01/8061414112345X/21/6789", "bad_gtin", "only digits"),
        ("https://id.gs1.org/01/80614141123458/21/", "empty_serial", "empty"),
        ("https://id.gs1.org/01/80614141123458/21/a%G1", "bad_escape", "“%G1”"),
        ("https://id.gs1.org/01/80614141123458/21/%C3%A9", "bad_character", "“Ã”"),
        ("https://id.gs1.org/01/80614141123458/21/a%20b", "bad_character", "“ ”"),
        ("(01)80614141123458", "bad_syntax", "(01)GTIN(21)Serial"),
        ("(01)80614141123457(21)1", "bad_check_digit", "should be 8"),
    ],
)
def test_bad_input_is_refused_saying_why(text, code, words):
    with pytest.raises(EpcError) as excinfo:
        epc.decode(text)
    error = excinfo.value
    assert error.code == code
    assert words in str(error)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: epc.from_gtin("80614141123459", "1"), "bad_check_digit"),
        (lambda: epc.from_gtin("123", "1"), "bad_gtin"),
        (lambda: epc.from_gtin("80614141123458", "tyre#1"), "bad_character"),
        (lambda: epc.from_gtin("80614141123458", ""), "empty_serial"),
        (lambda: epc.from_gtin("80614141123458", "1", 13), "bad_company_prefix_length"),
        (lambda: epc.from_gtin("80614141123458", "1", 5), "bad_company_prefix_length"),
        (lambda: epc.encode("80614141123458", "1", 7, filter=8), "bad_filter"),
        (lambda: epc.encode("80614141123458", "1", 7, filter=-1), "bad_filter"),
        (lambda: epc.encode("80614141123458", "1", 7, scheme="sgtin-64"), "bad_scheme"),
        (lambda: epc.encode("80614141123458", "0123", 7, scheme=SGTIN_96), "serial_leading_zero"),
        (lambda: epc.encode("80614141123458", "12a", 7, scheme=SGTIN_96), "serial_not_numeric"),
        (
            lambda: epc.encode("80614141123458", str(2**38), 7, scheme=SGTIN_96),
            "serial_too_large",
        ),
        (lambda: epc.from_gtin("80614141123458", "1").pure_identity_uri, "missing_company_prefix_length"),  # noqa: E501
        (lambda: epc.from_gtin("80614141123458", "1").tag(), "missing_company_prefix_length"),
        (lambda: epc.from_gtin("80614141123458", "1", 7).hex, "missing_tag"),
        (lambda: epc.from_gtin("80614141123458", "1", 7).tag_uri, "missing_tag"),
        (lambda: epc.decode("https://id.gs1.org/01/80614141123458/21/1", company_prefix_length=4),
         "bad_company_prefix_length"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused(call, code):
    with pytest.raises(EpcError) as excinfo:
        call()
    assert excinfo.value.code == code


def test_the_largest_sgtin_96_serial_is_accepted_and_the_next_refused():
    largest = epc.decode("urn:epc:tag:sgtin-96:3.0614141.812345.274877906943")
    assert int(largest.hex, 16) & (2**38 - 1) == 2**38 - 1
    with pytest.raises(EpcError, match="274877906943"):
        epc.encode("80614141123458", "274877906944", 7, scheme=SGTIN_96)


def test_errors_pickle_with_their_code_and_message():
    with pytest.raises(EpcError) as excinfo:
        epc.decode("3174257BF7194E4000001A85")
    again = pickle.loads(pickle.dumps(excinfo.value))
    assert (again.code, again.text, str(again)) == (
        "bad_header",
        "3174257BF7194E4000001A85",
        str(excinfo.value),
    )
    assert set(epc.CODES) >= {"bad_header", "bad_partition", "serial_too_large"}
