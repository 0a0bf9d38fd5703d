"""Tyre label grading: rolling resistance, wet grip and noise classes from grading schemes as data.

Why data: the class limits belong to regulations that change and multiply (Regulation (EU)
2020/740 today, a Chinese green-tyre grading next), so each scheme is a reviewed YAML file under
``<REFERENCE_DIR>/grading/``, named after its code, and this module only knows how to read,
check and apply one. A file is validated when loaded; errors name the file and the entry (in
English, like the file's keys; the errors :func:`grade` raises for callers are translated).

Why this shape: the registry and the issue's benchmark grade millions of value sets, so loading
turns every (scheme, tyre class, measure) into a sorted tuple of integer thresholds searched with
``bisect``, and :func:`grade` makes no Django call unless it has to report an error. The grading
function of a (scheme, tyre class) (:func:`grader`) goes further: from those thresholds it builds
an array of classes indexed by the rounded value (for half-up tables of a sensible resolution),
and the noise limits as nested dicts, and finds the shared :class:`Grades` of a result by its
position in a list rather than by a tuple key. Every value set is still graded: only the
(few hundred) results are shared.

Rules, all taken from the scheme file:

* A measured value is first rounded to the table's resolution (``rounding``: ``half_up`` to
  ``decimals`` places, or ``none``). Half up is applied to the value as written in decimal:
  RRC 6.55 → 6.6 (B in C1), 6.549 → 6.5 (A). With ``none`` a value in a gap between two bands
  (6.55 between 6.5 and 6.6) falls to the worse class.
* ``lower_is_better`` (RRC): the class is the first band whose ``max`` is at least the value.
  ``higher_is_better`` (wet grip index G): the first band whose ``min`` is at most the value.
* Noise: the limit value LV comes from the section width (C1) or the category of use and
  traction (C2, C3), plus allowances; the class is the first band whose ``max_above_limit`` is at
  least N − LV (2020/740: A if N ≤ LV − 3, B if N ≤ LV, C above). When several categories or
  allowances apply, the most lenient limit is used.

Scope (the file's optional ``scope`` section; Regulation (EU) 2020/740 Art. 2): which tyres get a
label at all. :func:`label_scope` tells from a tyre's facts (:func:`scope_facts`: size family and
prefix, speed, rim, categories, product line, flags a caller states) whether it is in scope or
gives the reasons it is not, each with a stable code and a message in both languages. Out of
scope, no label classes are derived (see ``services.derive``) and the label says why.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import product
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from tirebrain.core.i18n import localized
from tirebrain.core.yamlfiles import load_yaml

MEASURES = ("rolling_resistance", "wet_grip")
USAGES = ("normal", "snow", "special")
ALLOWANCES = ("snow", "extra_load", "special", "traction")
ROUNDING_MODES = ("half_up", "none")
#: What a caller may state about a tyre that neither its size nor the registry tells.
SCOPE_FLAGS = ("professional_off_road", "vintage", "temporary_spare", "studded", "racing", "used")
#: What a scope exclusion may match on, each a list in the file.
SCOPE_MATCHERS = ("size_families", "size_prefixes", "categories", "product_lines", "flags")
#: The facts :func:`label_scope` reads (any may be missing: an unknown fact excludes nothing).
SCOPE_FACTS = (
    "size_family",
    "size_prefix",
    "speed_kmh",
    "rim_diameter_in",
    "categories",
    "product_line",
    "flags",
)
DIRECTIONS = ("lower_is_better", "higher_is_better")

# floor(x·10^d + 0.5) in binary floating point misses decimal half-up when x·10^d lands a hair
# below .5 (1.005 × 100 = 100.49999999999999); the nudge is far above that error and far below
# any real measurement's resolution.
_HALF_UP = 0.5 + 1e-9
_INF = math.inf


class GradingError(ValueError):
    """An unknown scheme, tyre class or category of use, or a value that cannot be graded."""


class SchemeFileError(GradingError):
    """A grading scheme file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Grades:
    """Label classes for one value set; ``None`` where no value was given or no table applies.

    Immutable, and :func:`grade` hands out one shared instance per distinct result.
    """

    rr_class: str | None = None
    wet_class: str | None = None
    noise_class: str | None = None
    noise_limit_db: float | None = None  # the limit value LV the noise class was graded against


@dataclass(frozen=True, slots=True)
class BandTable:
    """One (scheme, tyre class, measure): ``classes[bisect_left(keys, sign·v)]``."""

    measure: str
    keys: tuple[float, ...]
    classes: tuple[str, ...]
    scale: float  # 10**decimals for half-up rounding; 0 for none
    sign: int  # +1 lower_is_better (keys are maxima), -1 higher_is_better (keys are -minima)
    status: str


@dataclass(frozen=True, slots=True)
class NoiseTable:
    """One (scheme, tyre class) noise table: LV lookup, then the class from N − LV."""

    width_maxes: tuple[float, ...]  # empty: the limit does not depend on the section width
    width_limits: tuple[float, ...]
    # (usage, snow, extra_load, traction) → dB added to the width limit, or the limit itself
    limits: Mapping[tuple[str, bool, bool, bool], float]
    offsets: tuple[float, ...]
    classes: tuple[str, ...]
    status: str


@dataclass(frozen=True, slots=True)
class ClassTables:
    rolling_resistance: BandTable | None
    wet_grip: BandTable | None
    noise: NoiseTable | None


@dataclass(frozen=True, slots=True)
class ScopeReason:
    """Why a tyre is outside a scheme's label: a stable ``code``, the ``article`` it rests on and
    the message in both languages (``message``: in the active one)."""

    code: str
    article: str
    label_zh: str
    label_en: str

    @property
    def message(self) -> str:
        return localized(self, "label")


@dataclass(frozen=True, slots=True)
class ScopeExclusion:
    """One excluded kind of tyre: it is out when any of its lists matches the tyre's facts."""

    reason: ScopeReason
    status: str
    size_families: frozenset[str] = frozenset()
    size_prefixes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    product_lines: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ScopeRules:
    """A scheme's scope: the speed and rim bounds, and the excluded kinds of tyre."""

    min_speed_kmh: float | None = None  # in scope from this speed up (inclusive)
    speed: ScopeReason | None = None
    rim_min_exclusive_in: float | None = None  # in scope only above this rim diameter …
    rim_max_exclusive_in: float | None = None  # … and below this one
    rim: ScopeReason | None = None
    exclusions: tuple[ScopeExclusion, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelScope:
    """The answer of :func:`label_scope`: in scope, or the reasons (in the file's order)."""

    reasons: tuple[ScopeReason, ...] = ()

    @property
    def in_scope(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


IN_SCOPE = LabelScope()


@dataclass(frozen=True)
class Scheme:
    code: str
    name_zh: str
    name_en: str
    source: Mapping[str, Any]
    applies_from: date
    tyre_classes: tuple[str, ...]
    tables: Mapping[str, ClassTables]
    path: Path
    data: Mapping[str, Any]  # the file as read, for display (rounding notes, status, evidence)
    scope: ScopeRules = ScopeRules()  # no scope section: every tyre of its classes is in scope


# -- grading ---------------------------------------------------------------------------------

_SCHEMES: dict[str, Scheme] | None = None
_INTERNED: dict[tuple[str | None, str | None, str | None, float | None], Grades] = {}
_INTERNED_MAX = 100_000  # a bound for safety; the EU scheme yields a few hundred distinct results


def grade(
    scheme_code: str,
    tyre_class: str,
    *,
    rolling_resistance: float | None = None,
    wet_grip: float | None = None,
    noise_db: float | None = None,
    section_width_mm: float | None = None,
    usage: str = "normal",
    snow: bool = False,
    traction: bool = False,
    extra_load: bool = False,
) -> Grades:
    """The label classes of one tyre under a scheme.

    ``rolling_resistance`` is the RRC in N/kN, ``wet_grip`` the wet grip index G, ``noise_db``
    the external rolling noise N. ``usage`` is the category of use (normal, snow, special);
    ``snow`` marks a tyre for use in severe snow conditions (3PMSF) and selects the snow limit
    like ``usage="snow"``; ``traction`` a C2/C3 traction (drive-axle) tyre; ``extra_load`` a C1
    extra load or reinforced tyre. C1 noise needs ``section_width_mm`` (nominal section width).
    """
    return grader(scheme_code, tyre_class)(
        rolling_resistance,
        wet_grip,
        noise_db,
        section_width_mm,
        usage,
        snow,
        traction,
        extra_load,
    )


Grader = Callable[..., Grades]
_GRADERS: dict[str, dict[str, Grader]] = {}  # scheme code → tyre class → grading function

# A band table read by index holds the result of every rounded value 0 … n - 1; tables longer
# than this (a fine resolution) are searched with bisect instead.
_DIRECT_MAX = 20_000


def grader(scheme_code: str, tyre_class: str) -> Grader:
    """The grading function of one scheme and tyre class, with its tables bound.

    Its positional arguments are those of :func:`grade` after the tyre class. Bulk work (an
    import, the benchmark) looks the tables up once per class rather than once per tyre.
    """
    try:
        return _GRADERS[scheme_code][tyre_class]
    except KeyError:
        return _make_grader(scheme_code, tyre_class)


class _Bands:
    """One band table as a grading function reads it, each class as a number (its code).

    ``direct`` holds the code of every rounded value below ``n``, built from the table's keys
    (``codes[bisect_left(keys, v·sign)]``); every value from ``n`` up gets ``above``, as they all
    lie beyond the last limit. Half-up tables have integer keys and rounded values are integers
    ≥ 0 (values are checked before rounding), so the index and the search agree. Without a
    direct index (rounding ``none``, or a resolution too fine) :meth:`code` searches the keys.
    """

    __slots__ = ("above", "codes", "direct", "n", "scale", "table")

    def __init__(self, table: BandTable, step: int) -> None:
        self.table = table
        self.scale = table.scale
        self.codes = tuple(step * (i + 1) for i in range(len(table.classes)))
        keys, sign = table.keys, table.sign
        n = int(max(abs(k) for k in keys)) + 1 if table.scale else 0
        self.n = n if n <= _DIRECT_MAX else 0
        self.direct = tuple(self.codes[bisect_left(keys, v * sign)] for v in range(self.n))
        self.above = self.codes[bisect_left(keys, self.n * sign)]

    def code(self, value: float) -> int:
        t = self.table
        v = int(value * t.scale + _HALF_UP) if t.scale else value
        return self.codes[bisect_left(t.keys, v * t.sign)]


def _make_grader(scheme_code: str, tyre_class: str) -> Grader:
    # Apart from grader(): a function that defines a closure makes its cells on every call.
    schemes = _SCHEMES if _SCHEMES is not None else load_schemes()
    scheme = schemes.get(scheme_code)
    if scheme is None:
        raise _unknown_scheme(scheme_code, schemes)
    tables = scheme.tables.get(tyre_class)
    if tables is None:
        raise GradingError(
            _("scheme %(s)s does not grade tyre class “%(c)s”; it grades %(k)s")
            % {"s": scheme_code, "c": tyre_class, "k": ", ".join(scheme.tyre_classes)}
        )
    rr_t, wet_t, n = tables.rolling_resistance, tables.wet_grip, tables.noise

    # A result is found by its code, ((rr · W + wet) · N + noise) · L + limit: each part is the
    # position of the class (or limit value) in its list below, 0 for none. Codes index a list of
    # the shared Grades instances, filled as results first occur.
    rr_names = (None, *rr_t.classes) if rr_t is not None else (None,)
    wet_names = (None, *wet_t.classes) if wet_t is not None else (None,)
    noise_names: tuple[str | None, ...] = (None,)
    limit_values: tuple[float | None, ...] = (None,)
    if n is not None:
        noise_names = (None, *n.classes)
        # (usage, snow, extra_load, traction) → the limit in each width band (or the one limit)
        band_limits = {
            flags: tuple(lv + extra for lv in n.width_limits) if n.width_maxes else (extra,)
            for flags, extra in n.limits.items()
        }
        limit_values = (None, *sorted({lv for lvs in band_limits.values() for lv in lvs}))
    step_l = len(limit_values)
    step_n = step_l * len(noise_names)
    step_w = step_n * len(wet_names)
    rr = _Bands(rr_t, step_w) if rr_t is not None else None
    wet = _Bands(wet_t, step_n) if wet_t is not None else None
    by_code: list[Grades | None] = [None] * (step_w * len(rr_names))
    rows: dict[str, dict[bool, dict[bool, dict[bool, Any]]]] = {}
    if n is not None:
        # The same as nested dicts, each limit with its code: n.limits' tuple keys would be built
        # and hashed for every tyre. Per width band a tuple of pairs, else the one pair.
        for (usage, snow, extra_load, traction), lvs in band_limits.items():
            pairs = tuple((lv, limit_values.index(lv)) for lv in lvs)
            row = rows.setdefault(usage, {}).setdefault(snow, {}).setdefault(extra_load, {})
            row[traction] = pairs if n.width_maxes else pairs[0]
        n_width_maxes, n_offsets = n.width_maxes, n.offsets
        n_codes = tuple(step_l * (i + 1) for i in range(len(n.classes)))
    half_up, inf = _HALF_UP, _INF
    # the direct indexes, read on every call, as plain closure variables (no attribute look-ups)
    rr_n, rr_scale, rr_direct, rr_above = (rr.n, rr.scale, rr.direct, rr.above) if rr else (0,) * 4
    wet_n, wet_scale, wet_direct, wet_above = (
        (wet.n, wet.scale, wet.direct, wet.above) if wet else (0,) * 4
    )

    def result(code: int) -> Grades:
        """The shared instance for a code this grading function has not met before."""
        i_rr, rest = divmod(code, step_w)
        i_wet, rest = divmod(rest, step_n)
        i_noise, i_limit = divmod(rest, step_l)
        grades = _shared(
            rr_names[i_rr], wet_names[i_wet], noise_names[i_noise], limit_values[i_limit]
        )
        by_code[code] = grades
        return grades

    def grade_one(
        rolling_resistance: float | None = None,
        wet_grip: float | None = None,
        noise_db: float | None = None,
        section_width_mm: float | None = None,
        usage: str = "normal",
        snow: bool = False,
        traction: bool = False,
        extra_load: bool = False,
    ) -> Grades:
        code = 0
        if rolling_resistance is not None and rr is not None:
            if not 0.0 <= rolling_resistance < inf:
                raise _bad_value(rr.table.measure, rolling_resistance)
            if rr_n:
                v = int(rolling_resistance * rr_scale + half_up)
                code = rr_direct[v] if v < rr_n else rr_above
            else:
                code = rr.code(rolling_resistance)
        if wet_grip is not None and wet is not None:
            if not 0.0 <= wet_grip < inf:
                raise _bad_value(wet.table.measure, wet_grip)
            if wet_n:
                v = int(wet_grip * wet_scale + half_up)
                code += wet_direct[v] if v < wet_n else wet_above
            else:
                code += wet.code(wet_grip)
        if noise_db is not None and n is not None:
            if not 0.0 <= noise_db < inf:
                raise _bad_value("noise", noise_db)
            try:
                row = rows[usage][snow][extra_load][traction]
            except KeyError:
                raise GradingError(
                    _("unknown category of use “%(u)s”; use one of %(k)s")
                    % {"u": usage, "k": ", ".join(USAGES)}
                ) from None
            if n_width_maxes:
                if section_width_mm is None or not 0.0 < section_width_mm < inf:
                    raise GradingError(
                        _("the noise class of a %(c)s tyre needs its nominal section width in mm")
                        % {"c": tyre_class}
                    )
                limit, limit_code = row[bisect_left(n_width_maxes, section_width_mm)]
            else:
                limit, limit_code = row
            code += limit_code + n_codes[bisect_left(n_offsets, noise_db - limit)]
        grades = by_code[code]
        return grades if grades is not None else result(code)

    _GRADERS.setdefault(scheme_code, {})[tyre_class] = grade_one
    return grade_one


def _shared(rr: str | None, wet: str | None, noise: str | None, limit: float | None) -> Grades:
    """One instance per distinct result: Grades are immutable and few (classes × limit values,
    all from the tables), and building a frozen dataclass costs more than the grading."""
    key = (rr, wet, noise, limit)
    grades = _INTERNED.get(key)
    if grades is None:
        grades = Grades(rr, wet, noise, limit)
        if len(_INTERNED) < _INTERNED_MAX:
            _INTERNED[key] = grades
    return grades


def _unknown_scheme(code: str, schemes: Mapping[str, Scheme]) -> GradingError:
    return GradingError(
        _("unknown grading scheme “%(s)s”; known: %(k)s")
        % {"s": code, "k": ", ".join(sorted(schemes)) or "—"}
    )


def _bad_value(measure: str, value: float) -> GradingError:
    return GradingError(
        _("%(m)s must be a finite number ≥ 0, got %(v)s") % {"m": measure, "v": value}
    )


# -- scope -----------------------------------------------------------------------------------


def scope_facts(
    size: Any = None,
    *,
    categories: Any = (),
    product_line: str | None = None,
    flags: Any = (),
) -> dict[str, Any]:
    """The facts :func:`label_scope` reads, from a parsed size (a ``sizes.TyreSize``, or None),
    the product's special categories and line, and the flags a caller states (``SCOPE_FLAGS``)."""
    facts: dict[str, Any] = {
        "categories": frozenset(categories),
        "product_line": product_line,
        "flags": frozenset(flags),
    }
    if size is not None:
        facts |= {
            "size_family": size.family,
            "size_prefix": size.prefix,
            "speed_kmh": size.speed_kmh,
            "rim_diameter_in": size.rim_diameter_in,
        }
    return facts


def label_scope(scheme: Scheme | str, facts: Mapping[str, Any]) -> LabelScope:
    """Whether a tyre with these facts is within the scheme's label, else why not.

    ``facts`` as :func:`scope_facts` makes them (keys of ``SCOPE_FACTS``); a missing fact
    excludes nothing (a size without a service description has no speed). Out of scope when the
    speed is below ``min_kmh``, the rim is at or outside the exclusive bounds, or any list of an
    exclusion matches (its size family, size prefix, a category, the product line or a flag).
    """
    rules = (scheme if isinstance(scheme, Scheme) else get_scheme(scheme)).scope
    unknown = set(facts) - set(SCOPE_FACTS)
    if unknown:
        raise GradingError(
            _("unknown scope facts %(f)s; use %(k)s")
            % {"f": ", ".join(sorted(unknown)), "k": ", ".join(SCOPE_FACTS)}
        )
    flags = frozenset(facts.get("flags") or ())
    if flags - set(SCOPE_FLAGS):
        raise GradingError(
            _("unknown flags %(f)s; use %(k)s")
            % {"f": ", ".join(sorted(flags - set(SCOPE_FLAGS))), "k": ", ".join(SCOPE_FLAGS)}
        )
    reasons: list[ScopeReason] = []
    speed = facts.get("speed_kmh")
    if rules.speed is not None and speed is not None and speed < rules.min_speed_kmh:
        reasons.append(rules.speed)
    rim = facts.get("rim_diameter_in")
    if rules.rim is not None and rim is not None:
        low, high = rules.rim_min_exclusive_in, rules.rim_max_exclusive_in
        if (low is not None and rim <= low) or (high is not None and rim >= high):
            reasons.append(rules.rim)
    family, prefix = facts.get("size_family"), facts.get("size_prefix")
    categories = frozenset(facts.get("categories") or ())
    line = facts.get("product_line")
    for ex in rules.exclusions:
        if (
            family in ex.size_families
            or (prefix and prefix in ex.size_prefixes)
            or categories & ex.categories
            or line in ex.product_lines
            or flags & ex.flags
        ):
            reasons.append(ex.reason)
    return LabelScope(tuple(reasons)) if reasons else IN_SCOPE


# -- loading ---------------------------------------------------------------------------------


def load_schemes(directory: Path | None = None) -> dict[str, Scheme]:
    """Every ``*.yaml`` under ``<directory>/grading`` (default ``REFERENCE_DIR``), by code.

    Without ``directory`` the result is cached for :func:`grade`; :func:`clear_cache` (or
    changing ``REFERENCE_DIR`` in a test) drops it.
    """
    global _SCHEMES
    if directory is None and _SCHEMES is not None:
        return _SCHEMES
    if directory is None:
        from django.conf import settings

        base = Path(settings.REFERENCE_DIR)
    else:
        base = Path(directory)
    schemes: dict[str, Scheme] = {}
    for path in sorted((base / "grading").glob("*.yaml")):
        scheme = load_scheme_file(path)
        schemes[scheme.code] = scheme
    if directory is None:
        _SCHEMES = schemes
    return schemes


def get_scheme(code: str) -> Scheme:
    schemes = load_schemes()
    scheme = schemes.get(code)
    if scheme is None:
        raise _unknown_scheme(code, schemes)
    return scheme


def clear_cache(**_kwargs: Any) -> None:
    """Forget the loaded schemes (after editing a file or pointing REFERENCE_DIR elsewhere)."""
    global _SCHEMES
    _SCHEMES = None
    _GRADERS.clear()


def _on_setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == "REFERENCE_DIR":
        clear_cache()


try:  # tests that override REFERENCE_DIR get fresh schemes without having to remember to
    from django.test.signals import setting_changed

    setting_changed.connect(_on_setting_changed, dispatch_uid="tirebrain.products.grading")
except ImportError:  # pragma: no cover — django.test is part of Django
    pass


def load_scheme_file(path: Path) -> Scheme:
    """Read and validate one scheme file; raise :class:`SchemeFileError` naming the entry."""
    try:
        data = load_yaml(path)
    except yaml.YAMLError as exc:
        raise SchemeFileError(f"{path.name}: not valid YAML: {exc}") from exc
    return _Reader(path).scheme(data)


_REASON_KEYS = {"code", "article", "label_zh", "label_en", "status", "evidence"}


class _Reader:
    """Validation with the path of the entry being read, for messages like
    ``eu-2020-740.yaml: measures.rolling_resistance.classes.C1.bands[1]: …``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> SchemeFileError:
        return SchemeFileError(f"{self.path.name}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "should be a mapping")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", "is required (text)")
        return value

    def number(self, value: Any, where: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(where, f"should be a number, got {value!r}")
        return float(value)

    def scheme(self, data: Any) -> Scheme:
        data = self.mapping(data, "top level")
        code = self.text(data, "code", "")
        if code != self.path.stem:
            raise self.fail(
                "code",
                f"“{code}” should match the file name “{self.path.stem}”",
            )
        applies = data.get("applies_from")
        if not isinstance(applies, date):
            raise self.fail("applies_from", "should be a date (YYYY-MM-DD)")
        source = self.mapping(data.get("source"), "source")
        classes = data.get("tyre_classes")
        if (
            not isinstance(classes, list)
            or not classes
            or not all(isinstance(c, str) and c for c in classes)
        ):
            raise self.fail("tyre_classes", "should be a non-empty list of class names")
        if len(set(classes)) != len(classes):
            raise self.fail("tyre_classes", "lists a class twice")
        measures = self.mapping(data.get("measures"), "measures")
        unknown = set(measures) - {*MEASURES, "noise"}
        if unknown:
            raise self.fail("measures", f"unknown measures {sorted(unknown)}")
        band_tables = {
            m: self.band_tables(m, measures[m], classes) for m in MEASURES if m in measures
        }
        noise_tables = self.noise_tables(measures["noise"], classes) if "noise" in measures else {}
        tables = {
            c: ClassTables(
                band_tables.get("rolling_resistance", {}).get(c),
                band_tables.get("wet_grip", {}).get(c),
                noise_tables.get(c),
            )
            for c in classes
        }
        return Scheme(
            code=code,
            name_zh=self.text(data, "name_zh", ""),
            name_en=self.text(data, "name_en", ""),
            source=source,
            applies_from=applies,
            tyre_classes=tuple(classes),
            tables=tables,
            path=self.path,
            data=data,
            scope=self.scope(data["scope"]) if "scope" in data else ScopeRules(),
        )

    def scope(self, value: Any) -> ScopeRules:
        where = "scope"
        spec = self.mapping(value, where)
        self.known(spec, where, {"source", "speed", "rim_diameter", "exclusions"})
        codes: set[str] = set()
        speed = rim = None
        min_kmh = low = high = None
        if "speed" in spec:
            at = f"{where}.speed"
            rule = self.mapping(spec["speed"], at)
            self.known(rule, at, {*_REASON_KEYS, "min_kmh"})
            min_kmh = self.number(rule.get("min_kmh"), f"{at}.min_kmh")
            if min_kmh <= 0:
                raise self.fail(f"{at}.min_kmh", "should be above 0")
            speed = self.reason(rule, at, codes, {"min_kmh": min_kmh})
        if "rim_diameter" in spec:
            at = f"{where}.rim_diameter"
            rule = self.mapping(spec["rim_diameter"], at)
            self.known(rule, at, {*_REASON_KEYS, "min_exclusive_in", "max_exclusive_in"})
            bounds = {}
            for key in ("min_exclusive_in", "max_exclusive_in"):
                if key in rule:
                    bounds[key] = self.number(rule[key], f"{at}.{key}")
                    if bounds[key] <= 0:
                        raise self.fail(f"{at}.{key}", "should be above 0 (inches)")
            if not bounds:
                raise self.fail(at, "needs min_exclusive_in or max_exclusive_in (inches)")
            low, high = bounds.get("min_exclusive_in"), bounds.get("max_exclusive_in")
            if low is not None and high is not None and low >= high:
                raise self.fail(at, f"min_exclusive_in {low:g} should be below {high:g}")
            rim = self.reason(rule, at, codes, bounds)
        exclusions = []
        entries = spec.get("exclusions", [])
        if not isinstance(entries, list):
            raise self.fail(f"{where}.exclusions", "should be a list")
        from tirebrain.products.sizes import FAMILIES

        allowed = {"size_families": FAMILIES, "flags": SCOPE_FLAGS}
        for i, entry in enumerate(entries):
            at = f"{where}.exclusions[{i}]"
            entry = self.mapping(entry, at)
            self.known(entry, at, {*_REASON_KEYS, *SCOPE_MATCHERS})
            lists: dict[str, frozenset[str]] = {}
            for key in SCOPE_MATCHERS:
                if key not in entry:
                    continue
                items = entry[key]
                if (
                    not isinstance(items, list)
                    or not items
                    or not all(isinstance(x, str) and x for x in items)
                ):
                    raise self.fail(f"{at}.{key}", "should be a non-empty list of names")
                bad = set(items) - set(allowed.get(key, items))
                if bad:
                    raise self.fail(
                        f"{at}.{key}", f"unknown {sorted(bad)}; use {list(allowed[key])}"
                    )
                lists[key] = frozenset(items)
            if not lists:
                raise self.fail(at, f"needs at least one of {list(SCOPE_MATCHERS)}")
            exclusions.append(
                ScopeExclusion(self.reason(entry, at, codes, {}), self.status(entry, at), **lists)
            )
        return ScopeRules(min_kmh, speed, low, high, rim, tuple(exclusions))

    def known(self, spec: Mapping[str, Any], where: str, keys: set[str]) -> None:
        unknown = set(spec) - keys
        if unknown:
            raise self.fail(where, f"unknown keys {sorted(unknown)}; use {sorted(keys)}")

    def reason(
        self, rule: Mapping[str, Any], where: str, codes: set[str], values: Mapping[str, float]
    ) -> ScopeReason:
        """A scope rule's code (unique in the file), article and messages, its values filled in."""
        code = self.text(rule, "code", f"{where}.")
        if code in codes:
            raise self.fail(f"{where}.code", f"“{code}” appears twice")
        codes.add(code)
        self.status(rule, where)
        self.text(rule, "evidence", f"{where}.")
        labels = {}
        for key in ("label_zh", "label_en"):
            text = self.text(rule, key, f"{where}.")
            try:
                labels[key] = text.format(**{k: f"{v:g}" for k, v in values.items()})
            except (KeyError, IndexError, ValueError) as exc:
                raise self.fail(
                    f"{where}.{key}",
                    f"cannot fill in {exc}; it may name {sorted('{' + k + '}' for k in values)}",
                ) from None
        return ScopeReason(code, self.text(rule, "article", f"{where}."), **labels)

    def rounding(self, value: Any, where: str) -> tuple[str, int | None]:
        rounding = self.mapping(value, where)
        mode = rounding.get("mode")
        if mode not in ROUNDING_MODES:
            raise self.fail(f"{where}.mode", f"should be one of {ROUNDING_MODES}")
        decimals = rounding.get("decimals")
        if mode == "half_up" and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6
        ):
            raise self.fail(f"{where}.decimals", "half_up needs decimals, an integer 0–6")
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6
        ):
            raise self.fail(f"{where}.decimals", "should be an integer 0–6")
        return mode, decimals

    def status(self, table: Mapping[str, Any], where: str, key: str = "status") -> str:
        status = table.get(key)
        if status not in ("verified", "provisional"):
            raise self.fail(f"{where}.{key}", "should be verified or provisional")
        return status

    def band_tables(self, measure: str, spec: Any, classes: list[str]) -> dict[str, BandTable]:
        where = f"measures.{measure}"
        spec = self.mapping(spec, where)
        direction = spec.get("direction")
        if direction not in DIRECTIONS:
            raise self.fail(f"{where}.direction", f"should be one of {DIRECTIONS}")
        mode, decimals = self.rounding(spec.get("rounding"), f"{where}.rounding")
        per_class = self.mapping(spec.get("classes"), f"{where}.classes")
        tables = {}
        for tyre_class, table in per_class.items():
            at = f"{where}.classes.{tyre_class}"
            if tyre_class not in classes:
                raise self.fail(at, "is not one of the scheme's tyre_classes")
            table = self.mapping(table, at)
            tables[tyre_class] = self.bands(
                measure, table, at, direction, mode, decimals, self.status(table, at)
            )
        return tables

    def bands(
        self,
        measure: str,
        table: Mapping[str, Any],
        where: str,
        direction: str,
        mode: str,
        decimals: int | None,
        status: str,
    ) -> BandTable:
        bands = table.get("bands")
        if not isinstance(bands, list) or len(bands) < 2:
            raise self.fail(f"{where}.bands", "should list at least two bands")
        lower = direction == "lower_is_better"
        # The open end: lower_is_better bands climb by max, the last has only min;
        # higher_is_better bands fall by min, the last has only max.
        inner, outer = ("max", "min") if lower else ("min", "max")
        step = Decimal(1).scaleb(-decimals) if decimals is not None else None
        names: list[str] = []
        limits: list[Decimal] = []
        previous: Decimal | None = None
        for i, band in enumerate(bands):
            at = f"{where}.bands[{i}]"
            band = self.mapping(band, at)
            name = band.get("class")
            if not isinstance(name, str) or not name:
                raise self.fail(f"{at}.class", "is required (text)")
            if name in names:
                raise self.fail(f"{at}.class", f"“{name}” appears twice")
            extra = set(band) - {"class", "min", "max"}
            if extra:
                raise self.fail(at, f"unknown keys {sorted(extra)}")
            last = i == len(bands) - 1
            values = {}
            for key in ("min", "max"):
                if key in band:
                    values[key] = Decimal(str(self.number(band[key], f"{at}.{key}")))
                    if values[key] < 0:
                        raise self.fail(f"{at}.{key}", "should not be negative")
                    if step is not None and values[key] % step:
                        raise self.fail(
                            f"{at}.{key}",
                            f"{values[key]} is finer than the table's resolution {step}",
                        )
            if last and inner in values:
                raise self.fail(at, f"the last band is open-ended: no “{inner}”")
            if not last and inner not in values:
                raise self.fail(at, f"needs “{inner}”")
            if i == 0 and outer in values and lower and values[outer] != 0:
                raise self.fail(f"{at}.{outer}", "the first band is open (from 0)")
            if i == 0 and outer in values and not lower:
                raise self.fail(at, f"the first band is open-ended: only “{inner}”")
            if i > 0:
                if outer not in values:
                    raise self.fail(at, f"needs “{outer}”")
                assert previous is not None  # band i - 1 had its inner limit
                if step is not None:
                    expected = previous + step if lower else previous - step
                    if values[outer] != expected:
                        raise self.fail(
                            f"{at}.{outer}",
                            f"{values[outer]} should be {expected}, "
                            f"one step ({step}) from the previous band",
                        )
                elif values[outer] <= previous if lower else values[outer] >= previous:
                    raise self.fail(f"{at}.{outer}", "bands are out of order")
            if inner in values:
                if outer in values and (
                    values[inner] < values[outer] if lower else values[inner] > values[outer]
                ):
                    raise self.fail(at, "min is above max")
                previous = values[inner]
                limits.append(values[inner])
            names.append(name)
        if mode == "half_up":
            scale = 10 ** (decimals or 0)
            keys = tuple(float(int(v * scale)) for v in limits)
        else:
            scale = 0
            keys = tuple(float(v) for v in limits)
        sign = 1 if lower else -1
        return BandTable(
            measure=measure,
            keys=tuple(k * sign for k in keys),
            classes=tuple(names),
            scale=float(scale),
            sign=sign,
            status=status,
        )

    def noise_tables(self, spec: Any, classes: list[str]) -> dict[str, NoiseTable]:
        where = "measures.noise"
        spec = self.mapping(spec, where)
        mode, _decimals = self.rounding(spec.get("rounding"), f"{where}.rounding")
        if mode != "none":
            raise self.fail(f"{where}.rounding.mode", "noise supports only none")
        bands = spec.get("bands")
        if not isinstance(bands, list) or len(bands) < 2:
            raise self.fail(f"{where}.bands", "should list at least two bands")
        offsets: list[float] = []
        names: list[str] = []
        for i, band in enumerate(bands):
            at = f"{where}.bands[{i}]"
            band = self.mapping(band, at)
            name = band.get("class")
            if not isinstance(name, str) or not name or name in names:
                raise self.fail(f"{at}.class", "is required and unique")
            last = i == len(bands) - 1
            if ("max_above_limit" in band) == last:
                raise self.fail(
                    at,
                    "only the last band is open (no max_above_limit)"
                    if last
                    else "needs max_above_limit",
                )
            if not last:
                offset = self.number(band["max_above_limit"], f"{at}.max_above_limit")
                if offsets and offset <= offsets[-1]:
                    raise self.fail(f"{at}.max_above_limit", "bands are out of order")
                offsets.append(offset)
            names.append(name)
        self.status(spec, where, "bands_status")
        limits = self.mapping(spec.get("limits"), f"{where}.limits")
        tables = {}
        for tyre_class in classes:
            if tyre_class not in limits:
                continue
            at = f"{where}.limits.{tyre_class}"
            table = self.mapping(limits[tyre_class], at)
            status = self.status(table, at)
            widths, width_limits = self.width_bands(table, at)
            by_usage = self.usage_limits(table, at)
            if (widths is None) == (by_usage is None):
                raise self.fail(at, "needs exactly one of by_section_width and by_usage")
            allowances = self.mapping(table.get("allowances", {}), f"{at}.allowances")
            unknown = set(allowances) - set(ALLOWANCES)
            if unknown:
                raise self.fail(f"{at}.allowances", f"unknown {sorted(unknown)}")
            allow = {k: self.number(v, f"{at}.allowances.{k}") for k, v in allowances.items()}
            combos: dict[tuple[str, bool, bool, bool], float] = {}
            for usage, snow, extra_load, traction in product(USAGES, *([(False, True)] * 3)):
                applicable = {usage} | ({"snow"} if snow else set())
                flags = {"extra_load": extra_load, "traction": traction}
                added = max(
                    [allow.get(u, 0.0) for u in applicable if u != "normal"]
                    + [allow[k] for k, on in flags.items() if on and k in allow]
                    + [0.0]
                )
                if by_usage is None:
                    combos[(usage, snow, extra_load, traction)] = added
                else:
                    rows = [by_usage[u] for u in applicable if u in by_usage] or [
                        by_usage["normal"]
                    ]
                    combos[(usage, snow, extra_load, traction)] = (
                        max(row[traction] for row in rows) + added
                    )
            tables[tyre_class] = NoiseTable(
                width_maxes=widths or (),
                width_limits=width_limits or (),
                limits=combos,
                offsets=tuple(offsets),
                classes=tuple(names),
                status=status,
            )
        unknown = set(limits) - set(classes) - {"source"}
        if unknown:
            raise self.fail(f"{where}.limits", f"unknown tyre classes {sorted(unknown)}")
        return tables

    def width_bands(
        self, table: Mapping[str, Any], where: str
    ) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
        if "by_section_width" not in table:
            return None, None
        at = f"{where}.by_section_width"
        bands = table["by_section_width"]
        if not isinstance(bands, list) or not bands:
            raise self.fail(at, "should list width bands")
        maxes: list[float] = []
        limits: list[float] = []
        for i, band in enumerate(bands):
            bat = f"{at}[{i}]"
            band = self.mapping(band, bat)
            last = i == len(bands) - 1
            if ("max" in band) == last:
                raise self.fail(bat, "only the last band is open (no max)" if last else "needs max")
            if i > 0:
                low = self.number(band.get("min_exclusive"), f"{bat}.min_exclusive")
                if low != maxes[-1]:
                    raise self.fail(
                        f"{bat}.min_exclusive",
                        f"{low} should be the previous band's max {maxes[-1]}",
                    )
            elif "min_exclusive" in band:
                raise self.fail(f"{bat}.min_exclusive", "the first band is open (from 0)")
            if not last:
                high = self.number(band["max"], f"{bat}.max")
                if maxes and high <= maxes[-1]:
                    raise self.fail(f"{bat}.max", "bands are out of order")
                maxes.append(high)
            limits.append(self.number(band.get("lv"), f"{bat}.lv"))
        return tuple(maxes), tuple(limits)

    def usage_limits(
        self, table: Mapping[str, Any], where: str
    ) -> dict[str, dict[bool, float]] | None:
        if "by_usage" not in table:
            return None
        at = f"{where}.by_usage"
        rows = table["by_usage"]
        if not isinstance(rows, list) or not rows:
            raise self.fail(at, "should list categories of use")
        result: dict[str, dict[bool, float]] = {}
        for i, row in enumerate(rows):
            rat = f"{at}[{i}]"
            row = self.mapping(row, rat)
            usage = row.get("usage")
            if usage not in USAGES or usage in result:
                raise self.fail(f"{rat}.usage", f"should be one of {USAGES}, once each")
            lv = self.number(row.get("lv"), f"{rat}.lv")
            traction = self.number(row.get("lv_traction", lv), f"{rat}.lv_traction")
            result[usage] = {False: lv, True: traction}
        if "normal" not in result:
            raise self.fail(at, "needs the normal category")
        return result
