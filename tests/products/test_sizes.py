"""Tyre size designations: every family, the tables, the class rule, errors and round trips."""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tirebrain.products.sizes import (
    FAMILIES,
    ServiceDescription,
    SizeError,
    TyreSize,
    load_index_table,
    parse_size,
    speed_symbol_table,
    try_parse,
)

TYRES_DIR = Path(settings.REFERENCE_DIR) / "tyres"

# ---------------------------------------------------------------------------------------------
# The reference tables


def test_tables_are_read_from_the_reference_dir_with_a_source() -> None:
    for name in ("load-index.yaml", "speed-symbols.yaml"):
        data = yaml.safe_load((TYRES_DIR / name).read_text(encoding="utf-8"))
        assert data["source"].strip()


def test_load_index_table_is_complete_and_increasing() -> None:
    table = load_index_table()
    assert sorted(table) == list(range(280))
    values = [table[li] for li in range(280)]
    assert all(a < b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize(
    ("li", "kg"),
    [
        (0, 45),
        (1, 46.2),
        (19, 77.5),
        (35, 121),
        (75, 387),
        (80, 450),
        (88, 560),
        (91, 615),
        (94, 670),
        (95, 690),
        (100, 800),
        (109, 1030),
        (110, 1060),
        (115, 1215),
        (116, 1250),
        (120, 1400),
        (121, 1450),
        (122, 1500),
        (123, 1550),
        (142, 2650),
        (145, 2900),
        (148, 3150),
        (149, 3250),
        (150, 3350),
        (152, 3550),
        (156, 4000),
        (160, 4500),
        (165, 5150),
        (167, 5450),
        (168, 5600),
        (169, 5800),
        (182, 8500),
        (200, 14000),
        (201, 14500),
        (203, 15500),
        (205, 16500),
        (275, 121500),
        (279, 136000),
    ],
)
def test_load_index_known_points(li: int, kg: float) -> None:
    assert load_index_table()[li] == kg


def test_load_index_table_repeats_tenfold_every_80_indices() -> None:
    """The published table is built on a preferred-number series: LI n+80 carries ten times LI n
    (the low indices rounded to 3 figures, e.g. 121 → 1215). A transcription slip breaks this."""
    table = load_index_table()
    for li in range(80, 280):
        assert abs(table[li] - 10 * table[li - 80]) <= 5, li


def test_speed_symbols() -> None:
    table = speed_symbol_table()
    expected = {
        "A1": 5,
        "A2": 10,
        "A3": 15,
        "A4": 20,
        "A5": 25,
        "A6": 30,
        "A7": 35,
        "A8": 40,
        "B": 50,
        "C": 60,
        "D": 65,
        "E": 70,
        "F": 80,
        "G": 90,
        "J": 100,
        "K": 110,
        "L": 120,
        "M": 130,
        "N": 140,
        "P": 150,
        "Q": 160,
        "R": 170,
        "S": 180,
        "T": 190,
        "U": 200,
        "H": 210,
        "V": 240,
        "W": 270,
        "Y": 300,
        "(Y)": 300,
        "ZR": 240,
    }
    assert table == expected


# ---------------------------------------------------------------------------------------------
# Every example of the issue, field by field

PASSENGER = {"family": "passenger_metric", "tyre_class": "C1", "construction": "radial"}

EXAMPLES: dict[str, dict] = {
    "205/55 R16 91V": {
        **PASSENGER,
        "text": "205/55 R16 91V",
        "prefix": "",
        "section_width_mm": 205.0,
        "section_width_in": None,
        "aspect_ratio": 55,
        "rim_diameter_in": 16.0,
        "load_indices": (91,),
        "load_kg": (615,),
        "speed_symbol": "V",
        "speed_kmh": 240,
        "reinforced": False,
        "run_flat": False,
        "alternative": None,
    },
    "205/55R16 91V": {**PASSENGER, "text": "205/55 R16 91V", "load_kg": (615,)},
    "205/55r16 91v": {**PASSENGER, "text": "205/55 R16 91V", "speed_symbol": "V"},
    "P215/65R15 95H": {
        **PASSENGER,
        "text": "P215/65 R15 95H",
        "prefix": "P",
        "section_width_mm": 215.0,
        "aspect_ratio": 65,
        "rim_diameter_in": 15.0,
        "load_indices": (95,),
        "load_kg": (690,),
        "speed_symbol": "H",
        "speed_kmh": 210,
    },
    "LT265/75R16 123/120S": {
        "text": "LT265/75 R16 123/120S",
        "family": "light_truck_metric",
        "prefix": "LT",
        "section_width_mm": 265.0,
        "aspect_ratio": 75,
        "construction": "radial",
        "rim_diameter_in": 16.0,
        "load_indices": (123, 120),
        "load_kg": (1550, 1400),
        "speed_symbol": "S",
        "speed_kmh": 180,
        "tyre_class": "C3",  # single-fitment LI 123 ≥ 122
    },
    "225/45ZR17 94W": {
        **PASSENGER,
        "text": "225/45 ZR17 94W",
        "section_width_mm": 225.0,
        "aspect_ratio": 45,
        "rim_diameter_in": 17.0,
        "load_indices": (94,),
        "load_kg": (670,),
        "speed_symbol": "W",
        "speed_kmh": 270,
    },
    "195/70R15C 104/102R": {
        "text": "195/70 R15C 104/102R",
        "family": "commercial_metric",
        "prefix": "",
        "section_width_mm": 195.0,
        "aspect_ratio": 70,
        "construction": "radial",
        "rim_diameter_in": 15.0,
        "load_indices": (104, 102),
        "load_kg": (900, 850),
        "speed_symbol": "R",
        "speed_kmh": 170,
        "tyre_class": "C2",
    },
    "245/40 R18 97Y XL": {
        **PASSENGER,
        "text": "245/40 R18 97Y XL",
        "section_width_mm": 245.0,
        "aspect_ratio": 40,
        "rim_diameter_in": 18.0,
        "load_indices": (97,),
        "load_kg": (730,),
        "speed_symbol": "Y",
        "speed_kmh": 300,
        "reinforced": True,
    },
    "235/35R19 (91Y)": {
        **PASSENGER,
        "text": "235/35 R19 (91Y)",
        "section_width_mm": 235.0,
        "aspect_ratio": 35,
        "rim_diameter_in": 19.0,
        "load_indices": (91,),
        "load_kg": (615,),
        "speed_symbol": "(Y)",
        "speed_kmh": 300,
    },
    "295/80R22.5 152/149M": {
        "text": "295/80 R22.5 152/149M",
        "family": "truck_bus",
        "section_width_mm": 295.0,
        "aspect_ratio": 80,
        "construction": "radial",
        "rim_diameter_in": 22.5,
        "load_indices": (152, 149),
        "load_kg": (3550, 3250),
        "speed_symbol": "M",
        "speed_kmh": 130,
        "tyre_class": "C3",
    },
    "11R22.5 148/145L": {
        "text": "11R22.5 148/145L",
        "family": "truck_bus",
        "section_width_in": 11.0,
        "section_width_mm": 279.4,
        "aspect_ratio": None,
        "aspect_ratio_implied": 90,
        "construction": "radial",
        "rim_diameter_in": 22.5,
        "load_indices": (148, 145),
        "load_kg": (3150, 2900),
        "speed_symbol": "L",
        "speed_kmh": 120,
        "tyre_class": "C3",
    },
    "385/65R22.5 160K": {
        "text": "385/65 R22.5 160K",
        "family": "truck_bus",
        "section_width_mm": 385.0,
        "aspect_ratio": 65,
        "construction": "radial",
        "rim_diameter_in": 22.5,
        "load_indices": (160,),
        "load_kg": (4500,),
        "speed_symbol": "K",
        "speed_kmh": 110,
        "tyre_class": "C3",
    },
    "315/70 R22.5 154/150L (152/148M)": {
        "text": "315/70 R22.5 154/150L (152/148M)",
        "family": "truck_bus",
        "section_width_mm": 315.0,
        "aspect_ratio": 70,
        "construction": "radial",
        "rim_diameter_in": 22.5,
        "load_indices": (154, 150),
        "load_kg": (3750, 3350),
        "speed_symbol": "L",
        "speed_kmh": 120,
        "alternative": ServiceDescription((152, 148), (3550, 3150), "M", 130),
        "tyre_class": "C3",
    },
    "31x10.50R15LT 109S": {
        "text": "31x10.50R15LT 109S",
        "family": "flotation",
        "prefix": "LT",
        "overall_diameter_in": 31.0,
        "section_width_in": 10.5,
        "section_width_mm": 266.7,
        "aspect_ratio": None,
        "construction": "radial",
        "rim_diameter_in": 15.0,
        "load_indices": (109,),
        "load_kg": (1030,),
        "speed_symbol": "S",
        "speed_kmh": 180,
        "tyre_class": "C2",
    },
    "33X12.50R20LT 114Q": {
        "text": "33x12.50R20LT 114Q",
        "family": "flotation",
        "overall_diameter_in": 33.0,
        "section_width_in": 12.5,
        "section_width_mm": 317.5,
        "construction": "radial",
        "rim_diameter_in": 20.0,
        "load_indices": (114,),
        "load_kg": (1180,),
        "speed_symbol": "Q",
        "speed_kmh": 160,
        "tyre_class": "C2",
    },
    "59/80R63": {
        "text": "59/80 R63",
        "family": "otr",
        "section_width_in": 59.0,
        "section_width_mm": 1498.6,
        "aspect_ratio": 80,
        "construction": "radial",
        "rim_diameter_in": 63.0,
        "load_indices": (),
        "load_kg": (),
        "speed_symbol": None,
        "speed_kmh": None,
        "tyre_class": None,
    },
    "40.00R57": {
        "text": "40.00R57",
        "family": "otr",
        "section_width_in": 40.0,
        "section_width_mm": 1016.0,
        "aspect_ratio": None,
        "aspect_ratio_implied": 100,
        "construction": "radial",
        "rim_diameter_in": 57.0,
        "tyre_class": None,
    },
    "27.00R49": {
        "text": "27.00R49",
        "family": "otr",
        "section_width_in": 27.0,
        "section_width_mm": 685.8,
        "construction": "radial",
        "rim_diameter_in": 49.0,
        "tyre_class": None,
    },
    "18.00-25": {
        "text": "18.00-25",
        "family": "otr",
        "section_width_in": 18.0,
        "section_width_mm": 457.2,
        "construction": "bias",
        "rim_diameter_in": 25.0,
        "tyre_class": None,
    },
    "46/90R57": {
        "text": "46/90 R57",
        "family": "otr",
        "section_width_in": 46.0,
        "section_width_mm": 1168.4,
        "aspect_ratio": 90,
        "construction": "radial",
        "rim_diameter_in": 57.0,
        "tyre_class": None,
    },
    "480/70R38": {
        "text": "480/70 R38",
        "family": "agricultural",
        "section_width_mm": 480.0,
        "aspect_ratio": 70,
        "construction": "radial",
        "rim_diameter_in": 38.0,
        "load_indices": (),
        "tyre_class": None,
    },
    "480/70R38 145A8/145B": {
        "text": "480/70 R38 145A8/145B",
        "family": "agricultural",
        "section_width_mm": 480.0,
        "aspect_ratio": 70,
        "construction": "radial",
        "rim_diameter_in": 38.0,
        "load_indices": (145,),
        "load_kg": (2900,),
        "speed_symbol": "A8",
        "speed_kmh": 40,
        "alternative": ServiceDescription((145,), (2900,), "B", 50),
        "tyre_class": None,
    },
    "IF 710/70R42 182D": {
        "text": "IF 710/70 R42 182D",
        "family": "agricultural",
        "prefix": "IF",
        "section_width_mm": 710.0,
        "aspect_ratio": 70,
        "construction": "radial",
        "rim_diameter_in": 42.0,
        "load_indices": (182,),
        "load_kg": (8500,),
        "speed_symbol": "D",
        "speed_kmh": 65,
        "tyre_class": None,
    },
    "VF 650/85R38 179D": {
        "text": "VF 650/85 R38 179D",
        "family": "agricultural",
        "prefix": "VF",
        "section_width_mm": 650.0,
        "aspect_ratio": 85,
        "construction": "radial",
        "rim_diameter_in": 38.0,
        "load_indices": (179,),
        "load_kg": (7750,),
        "speed_symbol": "D",
        "speed_kmh": 65,
        "tyre_class": None,
    },
    "H44.5x16.5-21": {
        "text": "H44.5x16.5-21",
        "family": "aircraft",
        "prefix": "H",
        "overall_diameter_in": 44.5,
        "section_width_in": 16.5,
        "section_width_mm": 419.1,
        "construction": "bias",
        "rim_diameter_in": 21.0,
        "tyre_class": None,
    },
    "46x17R20": {
        "text": "46x17R20",
        "family": "aircraft",
        "prefix": "",
        "overall_diameter_in": 46.0,
        "section_width_in": 17.0,
        "section_width_mm": 431.8,
        "construction": "radial",
        "rim_diameter_in": 20.0,
        "tyre_class": None,
    },
    "H37x14.0-15": {
        "text": "H37x14.0-15",
        "family": "aircraft",
        "prefix": "H",
        "overall_diameter_in": 37.0,
        "section_width_in": 14.0,
        "section_width_mm": 355.6,
        "construction": "bias",
        "rim_diameter_in": 15.0,
        "tyre_class": None,
    },
    "6.50-16": {
        "text": "6.50-16",
        "family": "bias_inch",
        "section_width_in": 6.5,
        "section_width_mm": 165.1,
        "aspect_ratio": None,
        "aspect_ratio_implied": None,
        "construction": "bias",
        "rim_diameter_in": 16.0,
        "tyre_class": None,
    },
    "225/45RF17": {
        **PASSENGER,
        "text": "225/45 RF17",
        "run_flat": True,
        "reinforced": False,
        "section_width_mm": 225.0,
        "aspect_ratio": 45,
        "rim_diameter_in": 17.0,
        "load_indices": (),
        "speed_symbol": None,
    },
    "225/45ZR17": {
        **PASSENGER,
        "text": "225/45 ZR17",
        "speed_symbol": "ZR",
        "speed_kmh": 240,
        "load_indices": (),
    },
    "T125/80D16 97M": {
        **PASSENGER,
        "text": "T125/80 D16 97M",
        "prefix": "T",
        "construction": "bias",
        "load_kg": (730,),
        "speed_kmh": 130,
    },
    "P215/65B15 95H": {**PASSENGER, "text": "P215/65 B15 95H", "construction": "bias_belted"},
    "185R14C 102/100Q": {
        "text": "185R14C 102/100Q",
        "family": "commercial_metric",
        "section_width_mm": 185.0,
        "aspect_ratio": None,
        "rim_diameter_in": 14.0,
        "load_indices": (102, 100),
        "tyre_class": "C2",
    },
    "10.00R20 146/143K": {
        "text": "10.00R20 146/143K",
        "family": "truck_bus",
        "section_width_in": 10.0,
        "aspect_ratio_implied": 100,
        "tyre_class": "C3",
    },
    "16.9R30": {"text": "16.9R30", "family": "agricultural", "section_width_in": 16.9},
    "12.4-24 8PR": {
        "text": "12.4-24 8PR",
        "family": "agricultural",
        "construction": "bias",
        "ply_rating": 8,
    },
    "10.0/75-15.3": {
        "text": "10.0/75-15.3",
        "family": "agricultural",
        "section_width_in": 10.0,
        "aspect_ratio": 75,
        "rim_diameter_in": 15.3,
        "construction": "bias",
    },
    "875/65R29": {"text": "875/65 R29", "family": "otr", "section_width_mm": 875.0},
}


@pytest.mark.parametrize("text", list(EXAMPLES))
def test_examples_parse_to_the_expected_fields(text: str) -> None:
    size = parse_size(text)
    got = {name: getattr(size, name) for name in EXAMPLES[text]}
    assert got == EXAMPLES[text]
    assert str(size) == size.text
    assert size.family in FAMILIES


def test_alternative_and_dual_service_descriptions() -> None:
    size = parse_size("315/70 R22.5 154/150L (152/148M)")
    assert size.service_description == ServiceDescription((154, 150), (3750, 3350), "L", 120)
    assert str(size.alternative) == "152/148M"
    # other ways of writing the same alternative
    assert parse_size("315/70R22.5 154/150L 152/148M") == size
    assert parse_size("480/70R38 145A8 145B") == parse_size("480/70R38 145A8/145B")
    assert parse_size("480/70R38 145A8 (145B)").text == "480/70 R38 145A8/145B"
    assert parse_size("205/55 R16").service_description is None


@pytest.mark.parametrize(
    "text",
    [
        "245/40 R18 97Y XL",
        "245/40R18 97Y XL",
        "245/40R18 XL 97Y",
        "245/40R18XL 97Y",
        "245/40 R18 97Y xl",
        "245/40 R18 97Y RF",
        "245/40 R18 97Y REINFORCED",
        "245/40 R18 97Y Extra Load",
    ],
)
def test_reinforced_marks(text: str) -> None:
    size = parse_size(text)
    assert size.reinforced is True
    assert size.run_flat is False
    assert size.text == "245/40 R18 97Y XL"


def test_run_flat_is_the_construction_and_reinforced_the_mark() -> None:
    size = parse_size("225/45RF17 94W XL")
    assert (size.run_flat, size.reinforced, size.construction) == (True, True, "radial")
    assert size.text == "225/45 RF17 94W XL"


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  205/55 R16 91V ", "205/55 R16 91V"),
        ("205 / 55 R 16 91V", "205/55 R16 91V"),
        ("205/55R16  91 V", "205/55 R16 91V"),
        ("p215/65r15 95h", "P215/65 R15 95H"),
        ("265/75R16LT 123/120S", "LT265/75 R16 123/120S"),
        ("185/75 R 16 C 104/102R", "185/75 R16C 104/102R"),
        ("IF710/70R42 182D", "IF 710/70 R42 182D"),
        ("31X10.50R15 LT 109S", "31x10.50R15LT 109S"),
        ("31x10.50R15 109S", "31x10.50R15 109S"),
        ("２０５／５５Ｒ１６　９１Ｖ", "205/55 R16 91V"),  # full-width, as typed in Chinese
        ("31×10.50R15LT 109S", "31x10.50R15LT 109S"),
    ],
)
def test_whitespace_case_and_width_variations(text: str, normal: str) -> None:
    assert parse_size(text).text == normal


# ---------------------------------------------------------------------------------------------
# The tyre class (Regulation (EC) No 661/2009 Art. 8)


@pytest.mark.parametrize(
    ("text", "tyre_class"),
    [
        ("205/55 R16 91V", "C1"),
        ("P215/65R15 95H", "C1"),
        ("225/45ZR17 94W", "C1"),
        ("205/55 R16", "C1"),
        ("LT245/75R16 120/116S", "C2"),
        ("LT245/75R16 121/118S", "C2"),  # LI 121, speed S ≥ N
        ("LT285/75R16 126/123Q", "C3"),  # LI ≥ 122
        ("195/70R15C 104/102N", "C2"),  # speed N: 140 km/h
        ("195/70R15C 104/102M", "C3"),  # speed M: 130 km/h, slower than N
        ("215/75R17.5 126/124M", "C3"),
        ("225/75R16 121/120R", "C2"),  # dual load index without the C mark
        ("LT265/75R16", None),  # no service description: cannot be told
        ("295/80R22.5", None),
        ("ST205/75R15 107/102M", None),  # US trailer designation
        ("480/70R38 145A8/145B", None),
        ("40.00R57", None),
        ("46x17R20", None),
        ("7.50-16", None),
        ("7.50-16C 116/114L", "C3"),
    ],
)
def test_tyre_class(text: str, tyre_class: str | None) -> None:
    assert parse_size(text).tyre_class == tyre_class


# ---------------------------------------------------------------------------------------------
# Errors: reason, position (0-based, into the input as given), the offending token


@pytest.mark.parametrize(
    ("text", "reason", "position", "token"),
    [
        ("", "empty", 0, ""),
        ("   ", "empty", 0, ""),
        ("205/55", "missing_construction", 6, ""),
        ("205/5R16 91V", "bad_aspect_ratio", 4, "5"),
        ("205/555R16 91V", "bad_aspect_ratio", 4, "555"),
        ("205/55R16 91X", "unknown_speed_symbol", 12, "X"),
        ("205/55 R16 91x", "unknown_speed_symbol", 13, "x"),
        ("205/55R16 300V", "unknown_load_index", 10, "300"),
        ("295/80R22.5 152/300M", "unknown_load_index", 16, "300"),
        ("205/55R 91V", "missing_rim", 7, ""),
        ("205/55R", "missing_rim", 7, ""),
        ("205/55R16 91V extra", "trailing_text", 14, "extra"),
        ("abc", "unknown_format", 0, "abc"),
        ("205/55R16.3 91V", "bad_rim", 7, "16.3"),
        ("205/55R99 91V", "bad_rim", 7, "99"),
        ("0/55R16 91V", "bad_width", 0, "0"),
        ("20/55R16 91V", "bad_width", 0, "20"),
        ("205/55Q16 91V", "bad_construction", 6, "Q"),
        ("205/55R16 (91W)", "unknown_speed_symbol", 13, "(W)"),
        ("  205/55 R16 91X", "unknown_speed_symbol", 15, "X"),
        ("480/70R38 145A8/145A9", "unknown_speed_symbol", 19, "A9"),
    ],
)
def test_malformed_sizes(text: str, reason: str, position: int, token: str) -> None:
    with pytest.raises(SizeError) as caught:
        parse_size(text)
    error = caught.value
    assert (error.reason, error.position, error.token, error.text) == (
        reason,
        position,
        token,
        text,
    )
    assert isinstance(error, ValueError)
    assert try_parse(text) is None


@pytest.mark.usefixtures("english")
def test_error_message_says_what_and_where() -> None:
    with pytest.raises(SizeError) as caught:
        parse_size("205/55 R16 91X")
    assert str(caught.value) == "“205/55 R16 91X”: unknown speed symbol “X” at character 14."
    with pytest.raises(SizeError) as caught:
        parse_size("")
    assert str(caught.value) == "The tyre size is empty."


def test_size_error_survives_pickling() -> None:
    import pickle

    with pytest.raises(SizeError) as caught:
        parse_size("205/55R16 91X")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.text, copy.position, copy.reason, copy.token) == (
        "205/55R16 91X",
        12,
        "unknown_speed_symbol",
        "X",
    )
    assert str(copy) == str(caught.value)


def test_try_parse() -> None:
    assert try_parse("205/55R16 91V") == parse_size("205/55 R16 91V")
    assert try_parse("205/55R16 91X") is None
    assert try_parse(None) is None


# ---------------------------------------------------------------------------------------------
# The result object


def test_result_equals_the_one_the_constructor_makes_and_is_frozen() -> None:
    for text in EXAMPLES:
        size = parse_size(text)
        rebuilt = TyreSize(**{f.name: getattr(size, f.name) for f in dataclasses.fields(size)})
        assert rebuilt == size
        assert hash(rebuilt) == hash(size)
    with pytest.raises(dataclasses.FrozenInstanceError):
        size.text = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Round trips over generated sizes


KINDS = (
    "passenger",
    "passenger",
    "light_truck",
    "c",
    "truck",
    "inch_truck",
    "ag",
    "if",
    "otr",
    "flotation",
    "aircraft",
    "bias",
    "alt",
)


def _generated(rng: random.Random) -> tuple[str, str]:
    """A valid size as a tyre maker might write it, and its normalised text."""
    li = rng.randint(75, 110)
    kind = rng.choice(KINDS)
    if kind == "passenger":
        w, a, r = rng.choice(range(135, 335, 10)), rng.choice(range(25, 85, 5)), rng.randint(12, 23)
        prefix, cons = rng.choice(["", "", "P"]), rng.choice(["R", "R", "ZR", "RF"])
        xl = " XL" if rng.random() < 0.2 else ""
        service = f"({li}Y)" if rng.random() < 0.05 else f"{li}{rng.choice('QSTHVWY')}"
        normal = f"{prefix}{w}/{a} {cons}{r} {service}{xl}"
    elif kind == "light_truck":
        w, a, r = rng.choice([235, 245, 265, 285]), rng.choice([70, 75, 85]), rng.randint(15, 18)
        li = rng.randint(110, 126)
        normal = f"LT{w}/{a} R{r} {li}/{li - 3}{rng.choice('QRS')}"
    elif kind == "c":
        w, a, r = rng.choice([185, 195, 205, 215]), rng.choice([65, 70, 75]), rng.randint(14, 16)
        li = rng.randint(100, 115)
        normal = f"{w}/{a} R{r}C {li}/{li - 2}{rng.choice('NPQRST')}"
    elif kind == "truck":
        w, a = rng.choice([(295, 80), (315, 80), (315, 70), (385, 65), (445, 45)])
        li = rng.randint(146, 164)
        normal = (
            f"{w}/{a} R{rng.choice(['22.5', '19.5', '17.5'])} {li}/{li - 3}{rng.choice('JKLM')}"
        )
    elif kind == "inch_truck":
        li = rng.randint(140, 156)
        normal = f"{rng.choice([11, 12, 13])}R22.5 {li}/{li - 3}{rng.choice('JKLM')}"
    elif kind == "ag":
        w, a = rng.choice([(480, 70), (520, 85), (650, 65), (710, 70)])
        li = rng.randint(130, 185)
        normal = f"{w}/{a} R{rng.choice([28, 30, 34, 38, 42])} {li}A8/{li}B"
    elif kind == "if":
        w, a = rng.choice([(710, 70), (650, 85), (900, 60)])
        normal = f"{rng.choice(['IF', 'VF'])} {w}/{a} R{rng.choice([38, 42, 46])} {li + 80}D"
    elif kind == "otr":
        normal = rng.choice(
            [f"{w}.00R{r}" for w in (18, 21, 24, 27, 33, 36, 40) for r in (25, 33, 35, 49, 51, 57)]
            + ["59/80 R63", "46/90 R57", "29.5R25", "18.00-25", "875/65 R29"]
        )
    elif kind == "flotation":
        od, w = rng.choice([(31, "10.50"), (33, "12.50"), (35, "12.50"), (37, "13.50")])
        normal = f"{od}x{w}R{rng.choice([15, 17, 20])}LT {li + 30}{rng.choice('QRS')}"
    elif kind == "aircraft":
        normal = rng.choice(["H44.5x16.5-21", "H37x14.0-15", "46x17R20", "H40x14.5-19"])
    elif kind == "bias":
        normal = f"{rng.choice(['6.00', '6.50', '7.00', '7.50'])}-{rng.choice([14, 15, 16])}"
    else:
        li = rng.randint(150, 156)
        normal = f"315/70 R22.5 {li}/{li - 4}L ({li - 2}/{li - 6}M)"
    return _as_written(rng, normal), normal


def _as_written(rng: random.Random, normal: str) -> str:
    """The normalised text as people type it: case, spacing and the x of flotation sizes."""
    text = normal
    if rng.random() < 0.4:
        text = text.replace(" R", "R", 1).replace(" ZR", "ZR", 1)
        text = text.replace(" RF", "RF", 1).replace(" D", "D", 1)
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.2:
        text = text.replace(" ", "  ")
    if rng.random() < 0.1:
        text = f" {text}\t"
    if rng.random() < 0.3:
        text = text.replace("x", "X")
    return text


def test_generated_sizes_round_trip_to_the_normalised_text() -> None:
    rng = random.Random(1)
    for _ in range(400):
        written, normal = _generated(rng)
        size = parse_size(written)
        assert str(size) == normal, written
        again = parse_size(str(size))
        assert again == size, written
        # a leading space skips the fast path: both paths must agree
        assert parse_size(" " + str(size)) == size, written
