"""Tyre size designations as tyre makers write them, parsed into a structured :class:`TyreSize`.

Why: enterprises report their products by the size on the sidewall (``205/55 R16 91V``,
``295/80R22.5 152/149M``, ``IF 710/70R42 182D``). The plan's high-end rules, the label grading and
the product registry need the parts — width, rim, load, speed, the EU tyre class — and need a
wrong size refused with a message that says what is wrong and where, rather than stored as text
nobody can group or compare.

API: :func:`parse_size` returns a :class:`TyreSize` or raises :class:`SizeError` (a
``ValueError`` with ``text``, ``position`` — 0-based index into the input —, a stable ``reason``
code and a translated message); :func:`try_parse` returns ``None`` instead of raising.
``str(size)`` is the normalised designation, and parsing it again gives the same result.

Families (``TyreSize.family``) and how a designation is assigned to one:

* ``passenger_metric`` — ``205/55 R16 91V``, ``P215/65R15 95H``, ``225/45ZR17 94W``,
  ``T125/80D16 97M`` (temporary spare), ``225/45RF17`` (run-flat); anything metric not caught below.
* ``light_truck_metric`` — prefix ``LT`` (or ``LT`` written after the rim) and ``ST`` (US special
  trailer): ``LT265/75R16 123/120S``.
* ``commercial_metric`` — the ``C`` mark after the rim, ``195/70R15C 104/102R``; or a dual load
  index on a whole-inch rim without it.
* ``truck_bus`` — rims of 17.5, 19.5, 22.5, 24.5 inches (``295/80R22.5 152/149M``,
  ``11R22.5 148/145L``), a single load index of 122 or more, inch-coded ``.00`` sizes on rims of
  20 inches and up (``10.00R20``) and inch-coded sizes with a dual load index (``7.50R16
  121/120L``).
* ``otr`` (earthmover) — the earthmover rims 25, 29, 33, 35, 39, 45, 49, 51, 57, 63
  (``40.00R57``, ``18.00-25``, ``875/65R29``) and two-digit inch widths with an aspect ratio
  (``59/80R63``, ``46/90R57``).
* ``agricultural`` — prefix ``IF``/``VF``; rims of 26 inches and up that are not earthmover rims
  (``480/70R38``); a speed symbol of 70 km/h or less (A1–A8, B–E) off the truck rims; inch widths
  written with one decimal other than .5 (``16.9R30``, ``12.4-24``).
* ``flotation`` — ``31x10.50R15LT 109S``: overall diameter × section width in inches, with the
  ``LT`` mark or a service description.
* ``aircraft`` — the same two-part form without either (``46x17R20``), or the three-part form with
  the ``H`` prefix (``H44.5x16.5-21``).
* ``bias_inch`` — the remaining inch-coded conventional sizes, mostly bias (``6.50-16``).

Decisions:

* Construction: ``R``/``ZR`` radial, ``RF`` radial run-flat (``225/45RF17``), ``B`` bias-belted,
  ``D`` or ``-`` diagonal (bias). ``XL``, ``RF``, ``REINF``, ``REINFORCED`` or ``EXTRA LOAD``
  after the rim or the service description mean reinforced (``RF`` *in place of* ``R`` is run-flat).
* Widths: metric widths are millimetres; widths with a decimal point, two-digit widths with an
  aspect ratio (earthmover) and the width of inch-coded sizes (``11R22.5``, ``6.50-16``) are inches,
  kept in ``section_width_in`` and converted at 25.4 mm/in (rounded to 0.1 mm).
* Aspect ratio: ``aspect_ratio`` is only what is written. ``aspect_ratio_implied`` gives the
  nominal series a designation without one implies, where that convention is settled: 90 for
  plain inch widths on truck rims (``11R22.5``), 100 for ``.00`` truck and earthmover widths
  (``10.00R20``, ``40.00R57``); otherwise ``None``. Flotation and aircraft sizes give the overall
  diameter (``overall_diameter_in``) instead.
* Rims: whole inches from 4 to 63, half inches from 4.5 to 62.5 (17.5/19.5/22.5/24.5 truck,
  14.5/16.5 light truck …) and 15.3 (agricultural implement rims); ``R16.3`` is refused.
* Service description: ``91V``; a dual (single/dual fitment) load index ``152/149M``; brackets
  for above 300 km/h ``(91Y)`` → speed symbol ``(Y)``, 300 km/h meaning "above". A second
  description is ``alternative``: ``154/150L (152/148M)`` or, in agricultural style,
  ``145A8/145B``. Normalised text writes an alternative as ``145A8/145B`` when both descriptions
  have a single load index, else ``154/150L (152/148M)``. ``ZR`` without a service description
  gives speed symbol ``ZR`` (above 240 km/h). Ply ratings (``8PR``) are kept in ``ply_rating``.
* Input: case-insensitive, spaces around the parts optional; full-width characters (common in
  Chinese input) and ``×`` are read as their ASCII forms. ``position`` counts characters of the
  input as given (it can be off after a full-width character that expands to several).

Tyre class (``tyre_class``), as defined by Regulation (EC) No 661/2009, Art. 8(1), the classes
that Regulation (EU) 2020/740 (tyre labelling) uses: C1 are tyres approved to UN Regulation
No. 30 (passenger cars); C2 and C3 are tyres approved to UN Regulation No. 54 (commercial
vehicles): C2 when the load index in single formation is ≤ 121 and the speed symbol is N
(140 km/h) or faster; C3 when that load index is ≥ 122, or ≤ 121 with speed symbol M (130 km/h)
or slower. Here: passenger_metric → C1 (with or without a service description; ``T`` spares too);
light truck, commercial, truck/bus and flotation → the C2/C3 rule on the first (single-fitment)
load index and the speed symbol, ``None`` without a service description. So ``LT265/75R16
123/120S`` is C3 (LI 123 ≥ 122), as the regulation says, though LT tyres are usually C2.
``bias_inch`` gets a class only with the ``C``/``LT`` mark or a dual load index. ``ST`` trailer
tyres (a US designation), earthmover, agricultural and aircraft tyres: ``None`` (not in those
classes).

Speed (issue 4: within 3× of merely splitting the string with a regular expression): one fast
expression for the forms lists mostly write (``205/55R16 91V``, ``295/80R22.5 152/149M``, and
less often ``480/70R38``, ``315/70R22.5 154/150L (152/148M)``, ``11R22.5 148/145L``), whose
match is the normalised text but for one space, read inline for the dominant metric forms; it
hands anything unusual to the general parser: there, one precompiled regular expression per form
(metric ``W/A``, inch-coded, two-part ``AxB``), tried in that order. Table look-ups in dicts
keyed by the text as written (load indices, speed symbols, rims, fast-path widths and aspect
ratios); the load and speed tables read once from ``settings.REFERENCE_DIR`` (``data/tyres/``);
results built without the frozen dataclass's per-field ``object.__setattr__`` calls, as a copy of
a template ``__dict__`` (see :func:`_finish`); messages translated only when an error is raised.
Every string is parsed: nothing is cached. ``bench/size_parse.py`` and
``bench/parse_and_grade.py`` measure it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from tirebrain.core.yamlfiles import load_yaml

FAMILIES = (
    "passenger_metric",
    "light_truck_metric",
    "commercial_metric",
    "truck_bus",
    "flotation",
    "otr",
    "agricultural",
    "aircraft",
    "bias_inch",
)
MM_PER_INCH = 25.4

_CONSTRUCTION = {
    "R": "radial",
    "ZR": "radial",
    "RF": "radial",
    "B": "bias_belted",
    "D": "bias",
    "-": "bias",
}
_TRUCK_RIMS = frozenset({17.5, 19.5, 22.5, 24.5})
_OTR_RIMS = frozenset({25.0, 29.0, 33.0, 35.0, 39.0, 45.0, 49.0, 51.0, 57.0, 63.0})
_AG_MAX_KMH = 70  # A1–A8, B, C, D, E: agricultural/industrial speeds
_C2_MIN_KMH = 140  # speed symbol N
_C2_MAX_LI = 121


def _valid_rims() -> dict[str, float]:
    rims = {str(n): float(n) for n in range(4, 64)}
    rims.update({f"{n}.5": n + 0.5 for n in range(4, 63)})
    rims["15.3"] = 15.3
    return rims


_RIMS = _valid_rims()


@dataclass(frozen=True)
class ServiceDescription:
    """A load index (one, or single/dual fitment) with its speed symbol, e.g. ``152/149M``."""

    load_indices: tuple[int, ...]
    load_kg: tuple[float, ...]
    speed_symbol: str
    speed_kmh: int

    def __str__(self) -> str:
        lis = "/".join(str(li) for li in self.load_indices)
        if self.speed_symbol == "(Y)":
            return f"({lis}Y)"
        return f"{lis}{self.speed_symbol}"


@dataclass(frozen=True)
class TyreSize:
    """One parsed size designation; ``str()`` gives the normalised text.

    ``speed_kmh`` is the maximum speed of the symbol, except for the open-ended ``(Y)`` (above
    300) and ``ZR`` (above 240). ``load_indices``/``load_kg`` hold one entry, or two for a
    single/dual fitment marking; both are empty when no service description is written.
    """

    text: str
    family: str
    construction: str
    rim_diameter_in: float
    prefix: str = ""
    section_width_mm: float | None = None
    section_width_in: float | None = None
    aspect_ratio: int | None = None
    aspect_ratio_implied: int | None = None
    overall_diameter_in: float | None = None
    run_flat: bool = False
    load_indices: tuple[int, ...] = ()
    load_kg: tuple[float, ...] = ()
    speed_symbol: str | None = None
    speed_kmh: int | None = None
    alternative: ServiceDescription | None = None
    reinforced: bool = False
    tyre_class: str | None = None
    ply_rating: int | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def service_description(self) -> ServiceDescription | None:
        """The primary service description, or ``None`` when the size has none."""
        if not self.load_indices or self.speed_symbol is None or self.speed_kmh is None:
            return None
        return ServiceDescription(
            self.load_indices, self.load_kg, self.speed_symbol, self.speed_kmh
        )


# Results are built without the frozen dataclass's per-field ``object.__setattr__`` calls: a new
# instance is given a complete ``__dict__`` in one call (see _finish()).
_object_new = object.__new__
_object_setattr = object.__setattr__
# Every field, with the values the fast path does not set (see parse_size()), for results to copy.
# Taken from an instance so that copies share the instances' key table (smaller, quicker to copy).
_FIELDS: dict[str, object] = TyreSize("", "", "radial", 0.0).__dict__.copy()
_PASSENGER_FIELDS = TyreSize("", "passenger_metric", "radial", 0.0, tyre_class="C1").__dict__.copy()


# ---------------------------------------------------------------------------------------------
# Errors

_PROBLEMS = {
    "unknown_format": gettext_noop("this is not a tyre size designation"),
    "bad_width": gettext_noop("section width “%(token)s” is not valid"),
    "bad_aspect_ratio": gettext_noop("aspect ratio “%(token)s” is not valid (20 to 110)"),
    "missing_construction": gettext_noop(
        "the construction letter (R, ZR, RF, B, D or “-”) is missing"
    ),
    "bad_construction": gettext_noop(
        "“%(token)s” is not a construction letter (R, ZR, RF, B, D or “-”)"
    ),
    "missing_rim": gettext_noop("the rim diameter is missing"),
    "bad_rim": gettext_noop("rim diameter “%(token)s” is not a rim size"),
    "unknown_load_index": gettext_noop("unknown load index “%(token)s” (the table runs 0 to 279)"),
    "unknown_speed_symbol": gettext_noop("unknown speed symbol “%(token)s”"),
    "trailing_text": gettext_noop("unexpected text “%(token)s”"),
}
REASONS = ("empty", *_PROBLEMS)


class SizeError(ValueError):
    """A size designation that cannot be read: what is wrong (``reason``) and where.

    ``position`` is the 0-based index into ``text`` (the input as given); the message counts
    characters from 1, as people do.
    """

    def __init__(self, text: str, position: int, reason: str, token: str = "") -> None:
        self.text = text
        self.position = position
        self.reason = reason
        self.token = token
        if reason == "empty":
            message = gettext("The tyre size is empty.")
        else:
            problem = gettext(_PROBLEMS[reason]) % {"token": token}
            message = gettext("“%(text)s”: %(problem)s at character %(position)d.") % {
                "text": text,
                "problem": problem,
                "position": position + 1,
            }
        super().__init__(message)

    def __reduce__(self) -> tuple[type[SizeError], tuple[str, int, str, str]]:
        # picklable (task queues, multiprocessing) despite the extra constructor arguments
        return (SizeError, (self.text, self.position, self.reason, self.token))


# ---------------------------------------------------------------------------------------------
# Reference tables

_LOAD: dict[str, tuple[int, float]] = {}  # load index as written → (index, kg)
# load index as written → ((index,), (kg,), index): a single load index as results hold it
_LOAD1: dict[str, tuple[tuple[int], tuple[float], int]] = {}
_SPEED: dict[str, int] = {}  # speed symbol → km/h, including "(Y)" and "ZR"


def _tables_dir() -> Path:
    return Path(settings.REFERENCE_DIR) / "tyres"


def _load_tables() -> None:
    """Reads ``load-index.yaml`` and ``speed-symbols.yaml`` once per process.

    ``_SPEED`` and ``_LOAD1`` are filled before ``_LOAD``, and callers test ``_LOAD``: a thread
    that sees the load table sees the others too (two threads loading at once fill them twice,
    identically).
    """
    directory = _tables_dir()
    loads = load_yaml(directory / "load-index.yaml")
    speeds = load_yaml(directory / "speed-symbols.yaml")
    load = {str(int(li)): (int(li), kg) for li, kg in loads["load_index"].items()}
    speed = {str(symbol): int(kmh) for symbol, kmh in speeds["speed_symbol"].items()}
    speed.update({str(symbol): int(kmh) for symbol, kmh in speeds["above"].items()})
    _SPEED.update(speed)
    _LOAD1.update({text: ((li,), (kg,), li) for text, (li, kg) in load.items()})
    _LOAD.update(load)


def load_index_table() -> dict[int, float]:
    """The load index → kg table (0–279), as read from ``data/tyres/load-index.yaml``."""
    if not _LOAD:
        _load_tables()
    return {li: kg for li, kg in _LOAD.values()}


def speed_symbol_table() -> dict[str, int]:
    """Speed symbol → km/h, with the open-ended ``(Y)`` and ``ZR``."""
    if not _LOAD:
        _load_tables()
    return dict(_SPEED)


# ---------------------------------------------------------------------------------------------
# Regular expressions

_REINFORCED = r"XL|RF|REINF(?:ORCED)?|EXTRA\s*LOAD"
# Everything after the rim: the C/LT mark, reinforcement, ply rating, the service description
# with its alternative. Group order matters: the _build_* functions unpack m.groups().
_TAIL = rf"""
    (?:\s*(?P<suffix>C|LT)(?![A-Z]))?
    (?:\s*(?P<reinf_a>{_REINFORCED})(?![A-Z]))?
    (?:\s+(?P<pr_a>\d{{1,2}})\s*PR)?
    (?:\s+
        (?P<open>\()?(?P<li1>\d{{1,3}})(?:/(?P<li2>\d{{1,3}}))?\s?(?P<ss1>[A-Z]\d?)(?(open)\))
        (?:(?:\s*/\s*|\s*\(\s*|\s+)
            (?P<li3>\d{{1,3}})(?:/(?P<li4>\d{{1,3}}))?\s?(?P<ss2>[A-Z]\d?)\)?
        )?
    )?
    (?:\s*(?P<reinf_b>{_REINFORCED}))?
    (?:\s+(?P<pr_b>\d{{1,2}})\s*PR)?
    \s*
"""
_RIM = r"(?P<rim>\d{1,2}(?:\.\d)?)(?![\d.])"
_METRIC = re.compile(
    r"""(?P<prefix>LT|ST|IF|VF|P|T)?\s*
    (?P<width>\d{1,4}(?:\.\d{1,2})?)\s*/\s*(?P<aspect>\d{1,3})
    \s*(?P<cons>ZR|RF|R|B|D|-)\s*"""
    + _RIM
    + _TAIL,
    re.VERBOSE | re.ASCII,
)
_INCH = re.compile(
    r"""(?P<prefix>LT|ST|IF|VF|P|T)?\s*
    (?P<width>\d{1,4}(?:\.\d{1,2})?)
    \s*(?P<cons>ZR|RF|R|B|D|-)\s*"""
    + _RIM
    + _TAIL,
    re.VERBOSE | re.ASCII,
)
_TWO_PART = re.compile(
    r"""(?P<prefix>LT|H)?\s*
    (?P<od>\d{1,2}(?:\.\d{1,2})?)\s*X\s*(?P<width>\d{1,2}(?:\.\d{1,2})?)
    \s*(?P<cons>R|B|D|-)\s*"""
    + _RIM
    + _TAIL,
    re.VERBOSE | re.ASCII,
)


# ---------------------------------------------------------------------------------------------
# Parsing


def try_parse(text: str | None) -> TyreSize | None:
    """:func:`parse_size`, or ``None`` when the text is missing or not a valid size designation."""
    if not isinstance(text, str):
        return None
    try:
        return parse_size(text)
    except SizeError:
        return None


# The forms most lists write, read by one expression: the dominant metric ones, "205/55R16 91V",
# "P225/45 ZR17 94W XL", "LT265/75R16 123/120S", "195/70R15C 104/102R", "295/80R22.5 152/149M",
# inline in parse_size(); and in _fast_rare() the same without a service description
# ("480/70R38"), with a bracketed dual alternative ("315/70R22.5 154/150L (152/148M)") and
# two-digit inch widths ("11R22.5 148/145L"). Anything else, and every error, goes to the
# general parser. Apart from the optional space before the construction letters (group 4), a
# match is already the normalised text. Metric widths and aspect ratios are read through tables
# of the valid ones (100–999 mm, 20–99 %).
_FAST_WIDTHS = {str(n): float(n) for n in range(100, 1000)}
_FAST_ASPECTS = {str(n): n for n in range(20, 100)}
_FAST = re.compile(
    r"(P|LT|)(?:(\d{3})/(\d{2})( ?)(Z?)|(\d{2}))R(\d{2}(?:\.5)?+)(C?)"
    r"(?: (\d{2,3}+)(?:/(\d{2,3}+))?+([A-Z])( \(\d{2,3}+/\d{2,3}+[A-Z]\))?)?( XL)?",
    re.ASCII,
)


def parse_size(text: str) -> TyreSize:
    """Parses a size designation such as ``205/55 R16 91V``; raises :class:`SizeError`."""
    if not _LOAD:
        _load_tables()
    upper = text.upper()
    m = _FAST.fullmatch(upper)
    if m is None:
        return _parse_in_full(text)
    # The dominant forms, inline (a call with a dozen arguments is a measurable share of it).
    groups = m.groups()
    prefix, width, aspect, space, z, _inch, rim, suffix, li1, li2, symbol, alt, xl = groups
    first = _LOAD1.get(li1)  # type: ignore[arg-type]
    kmh = _SPEED.get(symbol)  # type: ignore[arg-type]
    rim_in = _RIMS.get(rim)
    width_mm = _FAST_WIDTHS.get(width)  # type: ignore[arg-type]
    aspect_ratio = _FAST_ASPECTS.get(aspect)  # type: ignore[arg-type]
    if (
        first is not None
        and kmh is not None
        and rim_in is not None
        and width_mm is not None
        and aspect_ratio is not None
        and alt is None
    ):
        if li2 is None:
            lis, kgs, li = first
        else:
            second = _LOAD.get(li2)
            if second is None:
                return _parse_in_full(text)
            li = first[2]
            lis, kgs = (li, second[0]), (first[1][0], second[1])
        if (
            li2 is None
            and not suffix
            and prefix != "LT"
            and rim_in < 24
            and li <= _C2_MAX_LI
            and kmh > _AG_MAX_KMH
        ):
            d = _PASSENGER_FIELDS.copy()
        else:
            d = _FIELDS.copy()
            d["family"] = family = _metric_family(prefix, suffix, rim_in, lis, kmh)
            d["tyre_class"] = _tyre_class(family, prefix, lis, kmh)
        if prefix:
            d["prefix"] = prefix
        if xl is not None:
            d["reinforced"] = True
        if not space:  # "205/55R16 …": the normalised text has a space before the (Z)R,
            # the first R (or Z) in the text
            upper = upper.replace("ZR", " ZR", 1) if z else upper.replace("R", " R", 1)
        d["text"] = upper
        d["rim_diameter_in"] = rim_in
        d["section_width_mm"] = width_mm
        d["aspect_ratio"] = aspect_ratio
        d["load_indices"] = lis
        d["load_kg"] = kgs
        d["speed_symbol"] = symbol
        d["speed_kmh"] = kmh
        size = _object_new(TyreSize)
        _object_setattr(size, "__dict__", d)
        return size
    size = _fast_rare(upper, groups)
    return size if size is not None else _parse_in_full(text)


def _fast_rare(upper: str, groups: tuple[str | None, ...]) -> TyreSize | None:
    """The rarer forms of the fast expression, as the general parser reads them; ``None`` (so
    the general parser reads it) for anything unusual."""
    prefix, width, aspect, space, z, inch, rim, suffix, li1, li2, symbol, alt, xl = groups
    rim_in = _RIMS.get(rim)  # type: ignore[arg-type]
    if rim_in is None:
        return None
    lis: tuple[int, ...] = ()
    kgs: tuple[float, ...] = ()
    kmh = None
    alternative = None
    if li1 is None:
        if z:  # "ZR" with no service description stands for the speed
            return None
    else:
        first = _LOAD.get(li1)
        kmh = _SPEED.get(symbol)  # type: ignore[arg-type]
        second = _LOAD.get(li2) if li2 is not None else first
        if first is None or kmh is None or second is None:
            return None
        lis, kgs = ((first[0],), (first[1],)) if li2 is None else _pairs(first, second)
        if alt is not None:  # " (152/148M)": a dual alternative, written as normalised
            li3, li4 = alt[2:-2].split("/")
            third, fourth = _LOAD.get(li3), _LOAD.get(li4)
            akmh = _SPEED.get(alt[-2])
            if third is None or fourth is None or akmh is None:
                return None
            alternative = _object_new(ServiceDescription)
            alis, akgs = _pairs(third, fourth)
            _object_setattr(
                alternative,
                "__dict__",
                {"load_indices": alis, "load_kg": akgs, "speed_symbol": alt[-2], "speed_kmh": akmh},
            )
    d = _FIELDS.copy()
    if inch is not None:  # as _build_inch(): "11R22.5"
        width_in = float(inch)
        if not 2 <= width_in <= 70:
            return None
        family = _inch_family(prefix, inch, rim_in, lis, kmh)  # type: ignore[arg-type]
        klass = _tyre_class(family, prefix, lis, kmh)  # type: ignore[arg-type]
        if family == "bias_inch" and not (suffix == "C" or prefix == "LT" or len(lis) == 2):
            klass = None
        d["section_width_mm"] = round(width_in * MM_PER_INCH, 1)
        d["section_width_in"] = width_in
        d["aspect_ratio_implied"] = 90 if family == "truck_bus" else None
    else:  # as _build_metric()
        width_mm = _FAST_WIDTHS.get(width)  # type: ignore[arg-type]
        aspect_ratio = _FAST_ASPECTS.get(aspect)  # type: ignore[arg-type]
        if width_mm is None or aspect_ratio is None:
            return None
        family = _metric_family(prefix, suffix, rim_in, lis, kmh)  # type: ignore[arg-type]
        klass = _tyre_class(family, prefix, lis, kmh)  # type: ignore[arg-type]
        d["section_width_mm"] = width_mm
        d["aspect_ratio"] = aspect_ratio
        if not space:
            upper = upper.replace("ZR", " ZR", 1) if z else upper.replace("R", " R", 1)
    d["text"] = upper
    d["family"] = family
    d["rim_diameter_in"] = rim_in
    d["prefix"] = prefix
    d["load_indices"] = lis
    d["load_kg"] = kgs
    d["speed_symbol"] = symbol
    d["speed_kmh"] = kmh
    d["alternative"] = alternative
    d["reinforced"] = xl is not None
    d["tyre_class"] = klass
    size = _object_new(TyreSize)
    _object_setattr(size, "__dict__", d)
    return size


def _pairs(
    first: tuple[int, float], second: tuple[int, float]
) -> tuple[tuple[int, int], tuple[float, float]]:
    return (first[0], second[0]), (first[1], second[1])


def _parse_in_full(text: str) -> TyreSize:
    """The general parser: every form, and every error."""
    text_n = text if text.isascii() else _ascii_forms(text)
    upper = text_n.strip().upper()
    m = _METRIC.fullmatch(upper)
    if m is not None:
        return _build_metric(m, text, text_n)
    m = _INCH.fullmatch(upper)
    if m is not None:
        return _build_inch(m, text, text_n)
    m = _TWO_PART.fullmatch(upper)
    if m is not None:
        return _build_two_part(m, text, text_n)
    raise _diagnose(text, text_n, upper)


def _ascii_forms(text: str) -> str:
    """Full-width digits, letters and ``／`` as ASCII (NFKC); ``×`` as ``x``."""
    return unicodedata.normalize("NFKC", text).replace("×", "x")


class _Where:
    """Maps an index into the stripped, upper-cased text back to the input; error path only."""

    def __init__(self, text: str, text_n: str) -> None:
        self.text = text
        self.stripped = text_n.strip()
        self.offset = len(text_n) - len(text_n.lstrip())

    def error(
        self, reason: str, index: int, token: str | None = None, literal: bool = False
    ) -> SizeError:
        if token is None:
            token = self.stripped[index:].split(" ", 1)[0]
        elif not literal:  # the token as the user wrote it (case kept)
            token = self.stripped[index : index + len(token)] or token
        return SizeError(self.text, self.offset + index, reason, token)


_Service = tuple[
    tuple[int, ...], tuple[float, ...], str | None, int | None, ServiceDescription | None, str
]
_NO_SERVICE: _Service = ((), (), None, None, None, "")


def _service(
    m: re.Match[str],
    open_: str | None,
    li1: str | None,
    li2: str | None,
    ss1: str | None,
    li3: str | None,
    li4: str | None,
    ss2: str | None,
    where: tuple[str, str],
) -> _Service:
    """The service description: indices, kg, symbol, km/h, alternative, normalised text."""
    if li1 is None:
        return _NO_SERVICE
    first = _LOAD.get(li1)
    kmh = _SPEED.get(ss1)  # type: ignore[arg-type]
    if open_ is None and li3 is None and first is not None and kmh is not None:
        if li2 is None:
            return (first[0],), (first[1],), ss1, kmh, None, f" {li1}{ss1}"
        second = _LOAD.get(li2)
        if second is not None:
            return (
                (first[0], second[0]),
                (first[1], second[1]),
                ss1,
                kmh,
                None,
                f" {li1}/{li2}{ss1}",
            )
    return _service_in_full(m, open_, li1, li2, ss1, li3, li4, ss2, where)


def _service_in_full(
    m: re.Match[str],
    open_: str | None,
    li1: str,
    li2: str | None,
    ss1: str | None,
    li3: str | None,
    li4: str | None,
    ss2: str | None,
    where: tuple[str, str],
) -> _Service:
    """Brackets, alternatives, and every error in a service description."""
    lis, kgs = _load(m, "li1", li1, "li2", li2, where)
    if open_ is not None:
        if ss1 != "Y":  # brackets mark "above 300 km/h": only (Y) exists
            token = f"({ss1})"
            raise _Where(*where).error("unknown_speed_symbol", m.start("ss1"), token, literal=True)
        ss1 = "(Y)"
    kmh = _SPEED.get(ss1)  # type: ignore[arg-type]
    if kmh is None:
        raise _Where(*where).error("unknown_speed_symbol", m.start("ss1"), ss1)
    # Load indices as written are the table's keys, str() of the index: the normalised text.
    joined = li1 if li2 is None else f"{li1}/{li2}"
    text = f" ({joined}Y)" if ss1 == "(Y)" else f" {joined}{ss1}"
    alternative = None
    if li3 is not None:
        alis, akgs = _load(m, "li3", li3, "li4", li4, where)
        akmh = _SPEED.get(ss2)  # type: ignore[arg-type]
        if akmh is None:
            raise _Where(*where).error("unknown_speed_symbol", m.start("ss2"), ss2)
        # ServiceDescription(alis, akgs, ss2, akmh), built as _finish() builds a TyreSize
        alternative = _object_new(ServiceDescription)
        _object_setattr(
            alternative,
            "__dict__",
            {"load_indices": alis, "load_kg": akgs, "speed_symbol": ss2, "speed_kmh": akmh},
        )
        # str(alternative): ss2 is a letter (and digit), never the bracketed (Y)
        ajoined = li3 if li4 is None else f"{li3}/{li4}"
        if li2 is None and li4 is None:
            text += f"/{ajoined}{ss2}"
        else:
            text += f" ({ajoined}{ss2})"
    return lis, kgs, ss1, kmh, alternative, text


def _load(
    m: re.Match[str], g1: str, v1: str, g2: str, v2: str | None, where: tuple[str, str]
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    first = _LOAD.get(v1)
    if first is None:
        raise _Where(*where).error("unknown_load_index", m.start(g1), v1)
    if v2 is None:
        return (first[0],), (first[1],)
    second = _LOAD.get(v2)
    if second is None:
        raise _Where(*where).error("unknown_load_index", m.start(g2), v2)
    return (first[0], second[0]), (first[1], second[1])


def _tyre_class(family: str, prefix: str, lis: tuple[int, ...], kmh: int | None) -> str | None:
    if family == "passenger_metric":
        return "C1"
    if not lis or kmh is None or prefix == "ST" or family in _NO_CLASS:
        return None
    if lis[0] > _C2_MAX_LI or kmh < _C2_MIN_KMH:
        return "C3"
    return "C2"


_NO_CLASS = frozenset({"otr", "agricultural", "aircraft"})


def _finish(
    head: str,
    family: str,
    prefix: str,
    cons: str,
    rim_in: float,
    width_mm: float,
    width_in: float | None,
    aspect_ratio: int | None,
    implied: int | None,
    diameter: float | None,
    service: _Service,
    tail: tuple[str | None, str | None, str | None, str | None],
    tyre_class: str | None,
) -> TyreSize:
    """The result, from the parts every form shares; ``head`` is the normalised size part.

    A frozen dataclass's generated ``__init__`` sets each of the 19 fields through
    ``object.__setattr__``, which costs more than all the parsing; giving the new instance a
    filled ``__dict__`` (a copy of :data:`_FIELDS`, so it shares the instances' key table)
    in one call makes an equal, equally immutable object (``test_sizes`` checks it equals the one
    the ordinary constructor makes).
    """
    lis, kgs, symbol, kmh, alternative, text = service
    reinf_a, pr_a, reinf_b, pr_b = tail
    reinforced = reinf_a is not None or reinf_b is not None
    ply = pr_a or pr_b
    ply_rating = int(ply) if ply is not None else None
    if ply_rating is not None:
        text = f" {ply_rating}PR{text}"
    if reinforced:
        text += " XL"
    if symbol is None and cons == "ZR":
        symbol, kmh = "ZR", _SPEED["ZR"]
    d = _FIELDS.copy()
    d["text"] = head + text
    d["family"] = family
    d["construction"] = _CONSTRUCTION[cons]
    d["rim_diameter_in"] = rim_in
    d["prefix"] = prefix
    d["section_width_mm"] = width_mm
    d["section_width_in"] = width_in
    d["aspect_ratio"] = aspect_ratio
    d["aspect_ratio_implied"] = implied
    d["overall_diameter_in"] = diameter
    d["run_flat"] = cons == "RF"
    d["load_indices"] = lis
    d["load_kg"] = kgs
    d["speed_symbol"] = symbol
    d["speed_kmh"] = kmh
    d["alternative"] = alternative
    d["reinforced"] = reinforced
    d["tyre_class"] = tyre_class
    d["ply_rating"] = ply_rating
    size = _object_new(TyreSize)
    _object_setattr(size, "__dict__", d)
    return size


def _build_metric(m: re.Match[str], text: str, text_n: str) -> TyreSize:
    """``W/A R rim …`` in millimetres — and the inch-width slash forms (earthmover, implement)."""
    (
        prefix,
        width,
        aspect,
        cons,
        rim,
        suffix,
        reinf_a,
        pr_a,
        open_,
        li1,
        li2,
        ss1,
        li3,
        li4,
        ss2,
        reinf_b,
        pr_b,
    ) = m.groups()
    where = (text, text_n)
    rim_in = _RIMS.get(rim)
    # Checked left to right, so the first problem in the text is the one reported.
    if len(width) >= 3 and "." not in width:  # millimetres
        width_in = None
        width_mm = float(width)
        if not 100 <= width_mm <= 1300:
            raise _Where(*where).error("bad_width", m.start("width"), width)
    else:  # inches: "59/80R63" (earthmover), "12.5/80-18" (implement)
        width_in = float(width)
        width_mm = round(width_in * MM_PER_INCH, 1)
        if width_in <= 0 or ("." not in width and (rim_in or 0) < 25):
            raise _Where(*where).error("bad_width", m.start("width"), width)
        width = width if "." in width else str(int(width))
    aspect_ratio = int(aspect)
    if len(aspect) < 2 or not 20 <= aspect_ratio <= 110:
        raise _Where(*where).error("bad_aspect_ratio", m.start("aspect"), aspect)
    if rim_in is None:
        raise _Where(*where).error("bad_rim", m.start("rim"), rim)
    service = _service(m, open_, li1, li2, ss1, li3, li4, ss2, where)
    lis, kmh = service[0], service[3]
    if prefix is None:
        prefix = ""
    if suffix == "LT":
        prefix, suffix = "LT", None
    if width_in is None:
        family = _metric_family(prefix, suffix, rim_in, lis, kmh)
    elif rim_in in _OTR_RIMS or "." not in width:
        family = "otr"
    else:
        family = "agricultural"
    lead = f"{prefix} " if prefix in ("IF", "VF") else prefix
    sep = "" if cons == "-" else " "
    return _finish(
        f"{lead}{width}/{aspect_ratio}{sep}{cons}{rim}{suffix or ''}",
        family,
        prefix,
        cons,
        rim_in,
        width_mm,
        width_in,
        aspect_ratio,
        None,
        None,
        service,
        (reinf_a, pr_a, reinf_b, pr_b),
        _tyre_class(family, prefix, lis, kmh),
    )


def _metric_family(
    prefix: str, suffix: str | None, rim: float, lis: tuple[int, ...], kmh: int | None
) -> str:
    if prefix in ("IF", "VF"):
        return "agricultural"
    if prefix in ("LT", "ST"):
        return "light_truck_metric"
    if suffix == "C":
        return "commercial_metric"
    if rim in _OTR_RIMS:
        return "otr"
    if rim >= 26:
        return "agricultural"
    if rim in _TRUCK_RIMS:
        return "truck_bus"
    if kmh is not None and kmh <= _AG_MAX_KMH:
        return "agricultural"
    if lis and lis[0] > _C2_MAX_LI:
        return "truck_bus"
    if len(lis) == 2:
        return "commercial_metric"
    return "passenger_metric"


def _inch_family(
    prefix: str,
    width: str,
    rim: float,
    lis: tuple[int, ...],
    kmh: int | None,
) -> str:
    if prefix in ("IF", "VF"):
        return "agricultural"
    if rim in _OTR_RIMS:
        return "otr"
    if rim >= 26:
        return "agricultural"
    if rim in _TRUCK_RIMS:
        return "truck_bus"
    if kmh is not None and kmh <= _AG_MAX_KMH:
        return "agricultural"
    decimals = width.partition(".")[2]
    if len(decimals) == 1 and decimals != "5":
        return "agricultural"  # 11.2, 12.4, 16.9, 18.4 …
    if decimals == "00" and rim >= 20:
        return "truck_bus"  # 10.00R20, 12.00R24
    if lis and (lis[0] > _C2_MAX_LI or len(lis) == 2):
        return "truck_bus"
    return "bias_inch"


def _build_inch(m: re.Match[str], text: str, text_n: str) -> TyreSize:
    """Inch-coded sizes (``11R22.5``, ``40.00R57``, ``6.50-16``) and metric without aspect ratio
    (``185R14C``)."""
    (
        prefix,
        width,
        cons,
        rim,
        suffix,
        reinf_a,
        pr_a,
        open_,
        li1,
        li2,
        ss1,
        li3,
        li4,
        ss2,
        reinf_b,
        pr_b,
    ) = m.groups()
    where = (text, text_n)
    metric = "." not in width and len(width) >= 3
    if metric:
        width_mm = float(width)
        width_in = None
        if not 100 <= width_mm <= 1300:
            raise _Where(*where).error("bad_width", m.start("width"), width)
    else:
        width_in = float(width)
        if not 2 <= width_in <= 70:
            raise _Where(*where).error("bad_width", m.start("width"), width)
        width_mm = round(width_in * MM_PER_INCH, 1)
    rim_in = _RIMS.get(rim)
    if rim_in is None:
        raise _Where(*where).error("bad_rim", m.start("rim"), rim)
    service = _service(m, open_, li1, li2, ss1, li3, li4, ss2, where)
    lis, kmh = service[0], service[3]
    if prefix is None:
        prefix = ""
    if suffix == "LT":
        prefix, suffix = "LT", None
    implied = None
    if metric:
        family = _metric_family(prefix, suffix, rim_in, lis, kmh)
    else:
        family = _inch_family(prefix, width, rim_in, lis, kmh)
        if family == "truck_bus" and "." not in width:
            implied = 90
        elif family in ("truck_bus", "otr") and width.endswith(".00"):
            implied = 100
    klass = _tyre_class(family, prefix, lis, kmh)
    if family == "bias_inch" and not (suffix == "C" or prefix == "LT" or len(lis) == 2):
        klass = None
    lead = f"{prefix} " if prefix in ("IF", "VF") else prefix
    return _finish(
        f"{lead}{width}{cons}{rim}{suffix or ''}",
        family,
        prefix,
        cons,
        rim_in,
        width_mm,
        width_in,
        None,
        implied,
        None,
        service,
        (reinf_a, pr_a, reinf_b, pr_b),
        klass,
    )


def _build_two_part(m: re.Match[str], text: str, text_n: str) -> TyreSize:
    """Flotation ``31x10.50R15LT`` and aircraft ``46x17R20`` / ``H44.5x16.5-21``."""
    (
        prefix,
        od,
        width,
        cons,
        rim,
        suffix,
        reinf_a,
        pr_a,
        open_,
        li1,
        li2,
        ss1,
        li3,
        li4,
        ss2,
        reinf_b,
        pr_b,
    ) = m.groups()
    where = (text, text_n)
    od_in = float(od)
    width_in = float(width)
    rim_in = _RIMS.get(rim)
    if not 0 < width_in < od_in or od_in <= (rim_in or 0):
        raise _Where(*where).error("bad_width", m.start("width"), width)
    if rim_in is None:
        raise _Where(*where).error("bad_rim", m.start("rim"), rim)
    if suffix == "C":
        raise _Where(*where).error("trailing_text", m.start("suffix"), suffix)
    service = _service(m, open_, li1, li2, ss1, li3, li4, ss2, where)
    light_truck = prefix == "LT" or suffix == "LT"
    if prefix != "H" and (light_truck or service[0]):
        family, prefix = "flotation", "LT" if light_truck else ""
        klass = _tyre_class(family, prefix, service[0], service[3])
        head = f"{od}x{width}{cons}{rim}{'LT' if light_truck else ''}"
    else:
        family, prefix, klass = "aircraft", prefix or "", None
        head = f"{prefix}{od}x{width}{cons}{rim}"
    return _finish(
        head,
        family,
        prefix,
        cons,
        rim_in,
        round(width_in * MM_PER_INCH, 1),
        width_in,
        None,
        None,
        od_in,
        service,
        (reinf_a, pr_a, reinf_b, pr_b),
        klass,
    )


# ---------------------------------------------------------------------------------------------
# Diagnosis: only when no form matches the whole text

_PREFIX = re.compile(r"(?:LT|ST|IF|VF|P|T|H)\s*", re.ASCII)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_SPACE = re.compile(r"\s*", re.ASCII)
_CONS = re.compile(r"ZR|RF|R|B|D|-")
_SERVICE_LIKE = re.compile(r"\d{1,3}(?:/\d{1,3})?\s?[A-Z]", re.ASCII)


def _diagnose(text: str, text_n: str, upper: str) -> SizeError:
    """Walks the designation part by part to say what is wrong and where."""
    where = _Where(text, text_n)
    if not upper:
        return SizeError(text, 0, "empty")
    i = 0
    p = _PREFIX.match(upper)
    if p is not None:
        i = p.end()
    num = _NUMBER.match(upper, i)
    if num is None:
        return where.error("unknown_format", 0)
    i = _SPACE.match(upper, num.end()).end()
    form = _INCH
    if upper.startswith("/", i):
        form = _METRIC
        i = _SPACE.match(upper, i + 1).end()
        aspect = _NUMBER.match(upper, i)
        if aspect is None or "." in aspect.group() or len(aspect.group()) > 3:
            return where.error("bad_aspect_ratio", i)
        i = _SPACE.match(upper, aspect.end()).end()
    elif upper.startswith("X", i):
        form = _TWO_PART
        i = _SPACE.match(upper, i + 1).end()
        second = _NUMBER.match(upper, i)
        if second is None:
            return where.error("bad_width", i)
        i = _SPACE.match(upper, second.end()).end()
    cons = _CONS.match(upper, i)
    if cons is None:
        if i >= len(upper):
            return where.error("missing_construction", i, "")
        return where.error("bad_construction", i, upper[i])
    after_cons = cons.end()
    i = _SPACE.match(upper, after_cons).end()
    rim = _NUMBER.match(upper, i)
    if rim is None:
        return where.error("missing_rim", after_cons, "")
    if _SERVICE_LIKE.match(upper, i) and i > after_cons and rim.group() not in _RIMS:
        # "205/55R 91V": what follows the construction letter is a service description
        return where.error("missing_rim", after_cons, "")
    if rim.group() not in _RIMS:
        return where.error("bad_rim", i, rim.group())
    # The size itself reads: build from the longest match, then blame what is left over.
    m = form.match(upper)
    if m is None:  # pragma: no cover - the walk above accepts only what the forms accept
        return where.error("unknown_format", 0)
    builder = {_METRIC: _build_metric, _INCH: _build_inch, _TWO_PART: _build_two_part}[form]
    try:
        builder(m, text, text_n)
    except SizeError as error:
        return error
    end = _SPACE.match(upper, m.end()).end()
    return where.error("trailing_text", end)
