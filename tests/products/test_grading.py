"""Tyre label grading (EU 2020/740): every class boundary, noise limits, errors, schemes as data.

The expected tables are written out here by hand, not read from the YAML, so a wrong number in
``data/grading/eu-2020-740.yaml`` fails these tests instead of being copied into them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tirebrain.products.grading import (
    GradingError,
    SchemeFileError,
    clear_cache,
    get_scheme,
    grade,
    load_scheme_file,
)

EU = "eu-2020-740"

# (class, min, max) as written in Regulation (EU) 2020/740 Annex I Parts A and B (read in the
# German language version, gesetze.legal/eu/vo_eu_2020_740/anhang_i); None = open end.
RRC = {  # N/kN, lower is better
    "C1": [("A", None, "6.5"), ("B", "6.6", "7.7"), ("C", "7.8", "9.0"), ("D", "9.1", "10.5"),
           ("E", "10.6", None)],
    "C2": [("A", None, "5.5"), ("B", "5.6", "6.7"), ("C", "6.8", "8.0"), ("D", "8.1", "9.0"),
           ("E", "9.1", None)],
    "C3": [("A", None, "4.0"), ("B", "4.1", "5.0"), ("C", "5.1", "6.0"), ("D", "6.1", "7.0"),
           ("E", "7.1", None)],
}  # fmt: skip
WET = {  # wet grip index G, higher is better
    "C1": [("A", "1.55", None), ("B", "1.40", "1.54"), ("C", "1.25", "1.39"),
           ("D", "1.10", "1.24"), ("E", None, "1.09")],
    "C2": [("A", "1.40", None), ("B", "1.25", "1.39"), ("C", "1.10", "1.24"),
           ("D", "0.95", "1.09"), ("E", None, "0.94")],
    "C3": [("A", "1.25", None), ("B", "1.10", "1.24"), ("C", "0.95", "1.09"),
           ("D", "0.80", "0.94"), ("E", None, "0.79")],
}  # fmt: skip


def _num(text: str, delta: str = "0") -> float:
    """The float a user would type for ``text + delta`` (6.5 + 0.05 → 6.55, not 6.549999…)."""
    return float(Decimal(text) + Decimal(delta))


def _expected(table, value: float, step: str) -> str:
    """The class of ``value`` under the hand-written table, rounding half up in decimal."""
    v = Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)
    for name, low, high in table:
        if (low is None or v >= Decimal(low)) and (high is None or v <= Decimal(high)):
            return name
    raise AssertionError(f"{value} falls in no band of {table}")


def _boundary_cases(tables, step: str, lower_is_better: bool):
    """For every limit: on it, a step either side, and both sides of the half-step rounding edge."""
    half = str(Decimal(step) / 2)
    tenth = str(Decimal(step) / 10)
    for tyre_class, bands in tables.items():
        for i, (name, low, high) in enumerate(bands):
            if high is not None:
                nxt = bands[i + 1][0] if lower_is_better else bands[i - 1][0]
                yield tyre_class, _num(high), name  # exactly on the limit
                yield tyre_class, _num(high, f"-{step}"), name  # just below
                yield tyre_class, _num(high, tenth), name  # just above, rounds back onto it
                yield tyre_class, _num(high, str(Decimal(half) - Decimal(tenth) / 10)), name
                yield tyre_class, _num(high, half), nxt  # the gap's middle rounds up
                yield tyre_class, _num(high, step), nxt  # the next band's limit
            if low is not None:
                prv = bands[i - 1][0] if lower_is_better else bands[i + 1][0]
                yield tyre_class, _num(low), name  # exactly on the limit
                yield tyre_class, _num(low, step), name  # just above
                yield tyre_class, _num(low, f"-{tenth}"), name  # just below, rounds up onto it
                yield tyre_class, _num(low, f"-{half}"), name  # the gap's middle rounds up
                yield (
                    tyre_class,
                    _num(low, f"-{Decimal(half) + Decimal(tenth) / 10}"),
                    prv,
                )  # just under the gap's middle rounds down


RRC_CASES = sorted(set(_boundary_cases(RRC, "0.1", lower_is_better=True)))
WET_CASES = sorted(set(_boundary_cases(WET, "0.01", lower_is_better=False)))


@pytest.mark.parametrize(("tyre_class", "value", "expected"), RRC_CASES)
def test_rolling_resistance_boundaries(tyre_class, value, expected):
    assert grade(EU, tyre_class, rolling_resistance=value).rr_class == expected
    assert _expected(RRC[tyre_class], value, "0.1") == expected  # the generator agrees


@pytest.mark.parametrize(("tyre_class", "value", "expected"), WET_CASES)
def test_wet_grip_boundaries(tyre_class, value, expected):
    assert grade(EU, tyre_class, wet_grip=value).wet_class == expected
    assert _expected(WET[tyre_class], value, "0.01") == expected


def test_named_examples_of_the_rounding_rule():
    """The gap between 6.5 and 6.6: half up to one decimal, on the decimal value as written."""
    c1 = [(6.5, "A"), (6.51, "A"), (6.549, "A"), (6.55, "B"), (6.6, "B"), (6.49, "A")]
    for value, expected in c1:
        assert grade(EU, "C1", rolling_resistance=value).rr_class == expected, value
    # 1.005 × 100 is 100.49999999999999 in binary floating point; it still rounds up.
    assert grade(EU, "C1", wet_grip=1.545).wet_class == "A"
    assert grade(EU, "C1", wet_grip=1.5449).wet_class == "B"
    assert grade(EU, "C1", rolling_resistance=0.0).rr_class == "A"
    assert grade(EU, "C3", rolling_resistance=25.0).rr_class == "E"
    assert grade(EU, "C3", wet_grip=0.0).wet_class == "E"


def test_c2_fuel_efficiency_d_ends_at_the_stage_2_limit():
    """2020/740 moved the C2 D|E edge to 9,0|9,1; the old class E (8,1–9,2) is not today's D."""
    c2 = [(8.1, "D"), (9.0, "D"), (9.04, "D"), (9.05, "E"), (9.1, "E"), (9.2, "E"), (9.3, "E")]
    for value, expected in c2:
        assert grade(EU, "C2", rolling_resistance=value).rr_class == expected, value


@pytest.mark.parametrize("tyre_class", ["C1", "C2", "C3"])
def test_every_value_on_a_fine_grid_matches_decimal_half_up(tyre_class):
    """0.000–20.000 N/kN and 0.0000–2.5000 G: the fast path equals Decimal ROUND_HALF_UP."""
    for k in range(20001):
        value = k / 1000
        expected = _expected(RRC[tyre_class], value, "0.1")
        assert grade(EU, tyre_class, rolling_resistance=value).rr_class == expected, value
    for k in range(25001):
        value = k / 10000
        expected = _expected(WET[tyre_class], value, "0.01")
        assert grade(EU, tyre_class, wet_grip=value).wet_class == expected, value


# -- noise -----------------------------------------------------------------------------------

C1_WIDTH_LIMITS = [  # nominal section width (mm) → LV (dB), normal tyres
    (125, 70), (155, 70), (185, 70), (185.1, 71), (205, 71), (245, 71), (245.1, 72),
    (265, 72), (275, 72), (275.1, 74), (295, 74), (355, 74),
]  # fmt: skip


def _noise_cases(limit: float):
    """N against LV: A up to LV − 3 inclusive, B up to LV inclusive, C above."""
    return [
        (limit - 6, "A"),
        (limit - 3.1, "A"),
        (limit - 3, "A"),
        (limit - 3 + 0.1, "B"),
        (limit - 1, "B"),
        (limit, "B"),
        (limit + 0.1, "C"),
        (limit + 1, "C"),
    ]


@pytest.mark.parametrize(("width", "limit"), C1_WIDTH_LIMITS)
def test_c1_noise_limit_by_section_width(width, limit):
    for noise, expected in _noise_cases(limit):
        grades = grade(EU, "C1", noise_db=noise, section_width_mm=width)
        assert (grades.noise_class, grades.noise_limit_db) == (expected, limit), noise


@pytest.mark.parametrize(
    ("flags", "allowance"),
    [
        ({}, 0),
        ({"snow": True}, 1),
        ({"usage": "snow"}, 1),
        ({"extra_load": True}, 1),
        ({"snow": True, "extra_load": True}, 1),  # "or any combination": not cumulative
        ({"usage": "special"}, 2),
        ({"usage": "special", "snow": True, "extra_load": True}, 2),
        ({"traction": True}, 0),  # no traction category for C1
    ],
)
def test_c1_noise_allowances(flags, allowance):
    for width, base in [(185, 70), (205, 71), (255, 72), (295, 74)]:
        limit = base + allowance
        for noise, expected in _noise_cases(limit):
            grades = grade(EU, "C1", noise_db=noise, section_width_mm=width, **flags)
            assert (grades.noise_class, grades.noise_limit_db) == (expected, limit)


C2_C3_LIMITS = [  # (class, usage, snow, traction) → LV (dB)
    ("C2", "normal", False, False, 72), ("C2", "normal", False, True, 73),
    ("C2", "normal", True, False, 73), ("C2", "snow", False, False, 73),
    ("C2", "normal", True, True, 75), ("C2", "special", False, False, 74),
    ("C2", "special", False, True, 75), ("C2", "special", True, False, 74),
    ("C3", "normal", False, False, 73), ("C3", "normal", False, True, 75),
    ("C3", "normal", True, False, 74), ("C3", "snow", False, True, 76),
    ("C3", "normal", True, True, 76), ("C3", "special", False, False, 75),
    ("C3", "special", False, True, 77), ("C3", "special", True, True, 77),
]  # fmt: skip


@pytest.mark.parametrize(("tyre_class", "usage", "snow", "traction", "limit"), C2_C3_LIMITS)
def test_c2_c3_noise_limit_by_category_of_use(tyre_class, usage, snow, traction, limit):
    for noise, expected in _noise_cases(limit):
        grades = grade(EU, tyre_class, noise_db=noise, usage=usage, snow=snow, traction=traction)
        assert (grades.noise_class, grades.noise_limit_db) == (expected, limit), noise
    # the section width and extra load do not matter for C2 and C3
    grades = grade(EU, tyre_class, noise_db=limit, usage=usage, snow=snow, traction=traction,
                   section_width_mm=385, extra_load=True)  # fmt: skip
    assert (grades.noise_class, grades.noise_limit_db) == ("B", limit)


# Declared labels in EPREL (the EU product database), by registration number: the class printed
# on the label must be the class graded here. Traction is read from the pattern (drive tyres).
EPREL_LABELS = [
    # (EPREL no., class, width, kwargs, N dB, label's noise class)
    (764940, "C1", 215, {}, 68, "A"),  # Davanti DX740 215/65R17 SL: N = LV − 3
    (517802, "C1", 295, {"extra_load": True}, 72, "A"),  # Minerva 295/35R21 XL: 74 + 1 − 3
    (517830, "C1", 265, {}, 72, "B"),  # Minerva 265/65R17 SL: N = LV
    (447444, "C1", 245, {"extra_load": True}, 72, "B"),  # Evergreen 245/45ZR18 XL
    (477424, "C1", 225, {"extra_load": True, "snow": True}, 71, "B"),  # CST 225/55R16 RF 3PMSF
    (459770, "C1", 225, {"snow": True}, 72, "B"),  # Goodride 225/60R17 3PMSF: snow +1 dB
    (1600075, "C1", 185, {"snow": True}, 67, "A"),  # Tomket 185/60R15 3PMSF
    (1398156, "C1", 175, {"extra_load": True, "snow": True}, 71, "B"),  # Petlas 175/70R14 RF
    (610243, "C2", 215, {}, 71, "B"),  # Goodyear EfficientGrip Cargo 215/65R16C
    (452073, "C2", 195, {"snow": True}, 73, "B"),  # Kumho CW11 195/70R15C 3PMSF
    (589994, "C2", 195, {"snow": True}, 71, "B"),  # Sunny NC513 195/70R15C 3PMSF: not A
    (530585, "C3", 385, {}, 72, "B"),  # Dunlop SP282 385/65R22.5
    (457796, "C3", 385, {"snow": True}, 73, "B"),  # Kumho KLT03 385/65R22.5 3PMSF
    (511829, "C3", 385, {"snow": True}, 70, "A"),  # Nokian E-Truck Trailer 3PMSF
    (710114, "C3", 315, {"snow": True}, 71, "A"),  # Matador F HR 4+ 315/60R22.5 3PMSF
    (530568, "C3", 275, {"snow": True, "traction": True}, 73, "A"),  # Goodyear KMAX D 3PMSF
    (628728, "C3", 205, {"snow": True, "traction": True}, 72, "A"),  # Yokohama 704R "Traction"
    (383396, "C3", 295, {"snow": True, "traction": True}, 75, "B"),  # Bridgestone R-Drive 001
]


@pytest.mark.parametrize(("eprel", "tyre_class", "width", "flags", "noise", "label"), EPREL_LABELS)
def test_noise_class_matches_declared_eprel_labels(eprel, tyre_class, width, flags, noise, label):
    grades = grade(EU, tyre_class, noise_db=noise, section_width_mm=width, **flags)
    assert grades.noise_class == label, eprel


def test_all_measures_at_once_and_missing_values():
    grades = grade(
        EU, "C1", rolling_resistance=7.4, wet_grip=1.42, noise_db=71, section_width_mm=205
    )
    assert (grades.rr_class, grades.wet_class, grades.noise_class) == ("B", "B", "B")
    assert grades.noise_limit_db == 71
    empty = grade(EU, "C2")
    assert (empty.rr_class, empty.wet_class, empty.noise_class, empty.noise_limit_db) == (
        None,
        None,
        None,
        None,
    )
    # C3 tyres for severe snow conditions still get a wet grip class (EPREL shows them)
    assert grade(EU, "C3", wet_grip=1.12, snow=True).wet_class == "B"


def test_grades_are_frozen_and_equal_results_compare_equal():
    first = grade(EU, "C2", rolling_resistance=6.0, noise_db=72)
    second = grade(EU, "C2", rolling_resistance=6.04, noise_db=72.0)
    assert first == second
    with pytest.raises(AttributeError):
        first.rr_class = "A"  # type: ignore[misc]


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("nope", "C1"), {}, "unknown grading scheme “nope”"),
        ((EU, "C4"), {}, "does not grade tyre class “C4”"),
        ((EU, "c1"), {}, "does not grade tyre class “c1”"),
        ((EU, "C1"), {"rolling_resistance": -0.1}, "rolling_resistance must be a finite number"),
        ((EU, "C1"), {"wet_grip": -1.0}, "wet_grip must be a finite number"),
        ((EU, "C1"), {"wet_grip": float("nan")}, "wet_grip must be a finite number"),
        ((EU, "C2"), {"rolling_resistance": float("inf")}, "must be a finite number"),
        ((EU, "C3"), {"noise_db": -70.0}, "noise must be a finite number"),
        ((EU, "C1"), {"noise_db": 70.0}, "needs its nominal section width"),
        ((EU, "C1"), {"noise_db": 70.0, "section_width_mm": -205}, "nominal section width"),
        ((EU, "C2"), {"noise_db": 70.0, "usage": "racing"}, "unknown category of use “racing”"),
    ],
)
def test_errors(args, kwargs, message):
    with pytest.raises(GradingError, match=message):
        grade(*args, **kwargs)


def test_grading_error_is_a_value_error():
    assert issubclass(GradingError, ValueError)
    assert issubclass(SchemeFileError, GradingError)


# -- the scheme file and schemes as data -------------------------------------------------------


def test_shipped_scheme_metadata():
    scheme = get_scheme(EU)
    assert scheme.name_zh == "欧盟轮胎标签法规 (EU) 2020/740"
    assert scheme.source["celex"] == "32020R0740"
    assert "Annex I" in scheme.source["part"]
    assert str(scheme.applies_from) == "2021-05-01"
    assert scheme.tyre_classes == ("C1", "C2", "C3")
    for tyre_class in scheme.tyre_classes:
        tables = scheme.tables[tyre_class]
        for table in (tables.rolling_resistance, tables.wet_grip, tables.noise):
            assert table.status in ("verified", "provisional")
    rounding = scheme.data["measures"]["rolling_resistance"]["rounding"]
    assert (rounding["mode"], rounding["decimals"]) == ("half_up", 1)


def test_every_table_names_the_legal_text_it_was_checked_against():
    """The class tables are verified in Annex I itself; the noise limits cite 661/2009."""
    measures = get_scheme(EU).data["measures"]
    for measure in ("rolling_resistance", "wet_grip"):
        for tyre_class, table in measures[measure]["classes"].items():
            assert table["status"] == "verified", (measure, tyre_class)
            assert "gesetze.legal/eu/vo_eu_2020_740/anhang_i" in table["evidence"], tyre_class
    for tyre_class in ("C1", "C2", "C3"):
        evidence = measures["noise"]["limits"][tyre_class]["evidence"]
        assert "gesetze.legal/eu/vo_eg_2009_661/anhang_ii" in evidence, tyre_class


TOY = """\
code: toy-green
name_zh: 测试绿色轮胎分级
name_en: Toy green-tyre grading
source: {act: made up for a test}
applies_from: 2024-01-01
tyre_classes: [C1]
measures:
  rolling_resistance:
    direction: lower_is_better
    rounding: {mode: none, decimals: 1}
    classes:
      C1:
        status: provisional
        bands:
          - {class: AA, max: 6.0}
          - {class: A, min: 6.1, max: 8.0}
          - {class: X, min: 8.1}
"""


def _write(directory: Path, name: str, text: str) -> Path:
    (directory / "grading").mkdir(exist_ok=True)
    path = directory / "grading" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_scheme_is_a_data_file(settings, tmp_path):
    _write(tmp_path, "toy-green.yaml", TOY)
    settings.REFERENCE_DIR = tmp_path
    clear_cache()
    try:
        assert grade("toy-green", "C1", rolling_resistance=6.0).rr_class == "AA"
        # rounding "none": a value in the gap falls to the worse class
        assert grade("toy-green", "C1", rolling_resistance=6.05).rr_class == "A"
        assert grade("toy-green", "C1", rolling_resistance=8.01).rr_class == "X"
        # measures the scheme does not define are not graded
        assert grade("toy-green", "C1", wet_grip=1.6, noise_db=60).wet_class is None
        with pytest.raises(GradingError):
            grade(EU, "C1", rolling_resistance=6.5)  # not in this directory
        with pytest.raises(GradingError):
            grade("toy-green", "C3", rolling_resistance=6.5)
    finally:
        clear_cache()


def test_a_scheme_without_a_resolution_only_needs_ordered_bands(tmp_path):
    text = TOY.replace("mode: none, decimals: 1", "mode: none").replace("min: 6.1", "min: 6.05")
    path = _write(tmp_path, "toy-green.yaml", text)
    assert load_scheme_file(path).tables["C1"].rolling_resistance.classes == ("AA", "A", "X")
    path.write_text(text.replace("min: 8.1", "min: 7.0"), encoding="utf-8")
    with pytest.raises(SchemeFileError, match=r"bands\[2\]\.min: bands are out of order"):
        load_scheme_file(path)


def test_changing_reference_dir_drops_the_cache(settings, tmp_path):
    assert grade(EU, "C1", rolling_resistance=6.5).rr_class == "A"  # cached from data/
    _write(tmp_path, "toy-green.yaml", TOY)
    settings.REFERENCE_DIR = tmp_path  # the setting_changed signal clears the cache
    assert grade("toy-green", "C1", rolling_resistance=6.5).rr_class == "A"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("{class: A, min: 6.1, max: 8.0}", "{class: A, min: 6.2, max: 8.0}", "bands[1].min"),
        ("{class: A, min: 6.1, max: 8.0}", "{class: A, min: 6.1, max: 8.05}", "bands[1].max"),
        ("{class: X, min: 8.1}", "{class: X, min: 8.1, max: 9}", "bands[2]"),
        ("{class: X, min: 8.1}", "{class: AA, min: 8.1}", "bands[2].class"),
        ("direction: lower_is_better", "direction: sideways", "direction"),
        ("mode: none, decimals: 1", "mode: half_even, decimals: 1", "rounding.mode"),
        ("status: provisional", "status: maybe", "classes.C1.status"),
        ("code: toy-green", "code: other", "code"),
        ("applies_from: 2024-01-01", "applies_from: soon", "applies_from"),
        ("tyre_classes: [C1]", "tyre_classes: [C2]", "classes.C1"),
    ],
)
def test_a_bad_scheme_file_names_the_file_and_entry(tmp_path, old, new, where):
    assert old in TOY
    path = _write(tmp_path, "toy-green.yaml", TOY.replace(old, new))
    with pytest.raises(SchemeFileError) as info:
        load_scheme_file(path)
    assert str(info.value).startswith("toy-green.yaml: ")
    assert where in str(info.value)


def test_a_bad_noise_table_names_the_entry(tmp_path):
    shipped = (Path(__file__).parents[2] / "data" / "grading" / "eu-2020-740.yaml").read_text(
        encoding="utf-8"
    )
    broken = shipped.replace(
        "{min_exclusive: 245, max: 275, lv: 72}", "{min_exclusive: 240, max: 275, lv: 72}"
    )
    assert broken != shipped
    path = _write(tmp_path, "eu-2020-740.yaml", broken)
    with pytest.raises(SchemeFileError, match=r"noise\.limits\.C1\.by_section_width\[2\]"):
        load_scheme_file(path)
