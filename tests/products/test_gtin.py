"""GTIN check digits (GS1 mod 10) on published examples."""

from __future__ import annotations

import pytest

from tirebrain.products.gtin import GtinError, check_digit, normalise_gtin


@pytest.mark.parametrize(
    ("gtin", "fourteen"),
    [
        ("4006381333931", "04006381333931"),  # EAN-13 from the GS1 check-digit calculator example
        ("036000291452", "00036000291452"),  # UPC-A 036000 29145 2
        ("96385074", "00000096385074"),  # GTIN-8
        ("10614141000415", "10614141000415"),  # GTIN-14 from the GS1 Digital Link standard
        (" 6 901234 567892 ", "06901234567892"),  # a Chinese (690) EAN-13 written with spaces
    ],
)
def test_valid_gtins_are_kept_as_fourteen_digits(gtin, fourteen):
    assert normalise_gtin(gtin) == fourteen


def test_check_digit():
    assert check_digit("400638133393") == "1"
    assert check_digit("1061414100041") == "5"


@pytest.mark.parametrize(
    ("gtin", "words"),
    [
        ("4006381333932", "should be 1"),
        ("40063813339", "8, 12, 13 or 14"),
        ("40063813339a1", "only digits"),
    ],
)
def test_bad_gtins_are_refused_with_the_reason(gtin, words, english):
    with pytest.raises(GtinError) as excinfo:
        normalise_gtin(gtin)
    assert words in str(excinfo.value)
