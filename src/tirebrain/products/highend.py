"""The plan's high-end product rules (task 1.3), applied to one product.

The rules live in the plan file (``thresholds``), so the final plan's numbers replace the draft's
without a code change. Each threshold applies to a product line (or any line) and holds rules
``{field, op, value}``; a product is high-end when it meets every rule of at least one threshold
that applies to it. For each rule the result says the product's value, the limit, whether it is
met and — when it is not — by how much it misses, which is what officers rank enterprises by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

NUMERIC_OPS = {
    "lte": lambda v, x: v <= x,
    "lt": lambda v, x: v < x,
    "gte": lambda v, x: v >= x,
    "gt": lambda v, x: v > x,
}


@dataclass(frozen=True)
class RuleCheck:
    field: str
    op: str
    limit: Any
    value: Any
    met: bool | None  # None: the product has no value for the field
    miss: float | None  # how far the value is from the limit when not met (in the field's unit)


@dataclass(frozen=True)
class ThresholdCheck:
    code: str
    name_zh: str
    name_en: str
    applies: bool  # the threshold is for this product's line (or for any line)
    checks: tuple[RuleCheck, ...]

    @property
    def met(self) -> bool:
        return self.applies and all(c.met for c in self.checks)

    @property
    def missing(self) -> list[str]:
        """Fields the product has no value for, so the rule cannot be decided."""
        return [c.field for c in self.checks if c.met is None]


def check_rule(rule: Mapping[str, Any], facts: Mapping[str, Any]) -> RuleCheck:
    field, op, limit = rule["field"], rule["op"], rule["value"]
    value = facts.get("categories" if field == "category" else field)
    if op == "in":
        have = set(value or ())
        met = bool(have & set(limit))
        return RuleCheck(field, op, list(limit), sorted(have), met, None)
    if value is None:
        return RuleCheck(field, op, limit, None, None, None)
    met = NUMERIC_OPS[op](float(value), float(limit))
    miss = None if met else abs(float(value) - float(limit))
    return RuleCheck(field, op, limit, value, met, miss)


def classify(
    facts: Mapping[str, Any], thresholds: Iterable[Mapping[str, Any]]
) -> list[ThresholdCheck]:
    """Every threshold checked against the product's facts (``product_line``, ``categories``,
    ``aspect_ratio``, ``rolling_resistance``, ``wet_grip``, ``wear_km_per_mm``,
    ``rim_diameter_in``, …)."""
    results = []
    for t in thresholds:
        line = t.get("product_line")
        applies = line is None or line == facts.get("product_line")
        checks = tuple(check_rule(rule, facts) for rule in t.get("rules", []))
        results.append(
            ThresholdCheck(t["code"], t.get("name_zh", ""), t.get("name_en", ""), applies, checks)
        )
    return results


def high_end_codes(results: Iterable[ThresholdCheck]) -> list[str]:
    """The codes of the thresholds the product meets (empty: not high-end)."""
    return [r.code for r in results if r.met]


def shortfall(check: RuleCheck) -> float:
    """How far one rule is from being met, in per cent of its limit: 0 when met, the miss (at
    most 100 %) when a numeric rule is missed, and 100 — as far as a rule can be — when the
    product has no value for it or lacks the category it asks for: no evidence is no nearer to
    the threshold than a value far off."""
    if check.met:
        return 0.0
    if check.miss is None or not check.limit:
        return 100.0
    return min(100.0, 100 * check.miss / abs(float(check.limit)))


def high_end_gap(results: Iterable[ThresholdCheck]) -> float | None:
    """A product's distance from being high-end, in per cent: over the thresholds for its line,
    the smallest sum of the shortfalls of a threshold's rules. Summing, rather than taking the
    worst rule, ranks a product that misses two rules behind one that misses only one of them.
    0 for a high-end product; None when no threshold applies to its line."""
    gaps = [sum(shortfall(c) for c in r.checks) for r in results if r.applies]
    return min(gaps) if gaps else None


#: The product facts a threshold rule may test (``category`` tests the special categories).
RULE_FIELDS = {
    "aspect_ratio",
    "rolling_resistance",
    "wet_grip",
    "wear_km_per_mm",
    "rim_diameter_in",
    "section_width_mm",
    "noise_db",
    "category",
}


def rule_errors(thresholds: Any, lines: set[str], categories: set[str]) -> list[tuple[str, str]]:
    """(entry, problem) for every problem with the plan file's thresholds, for the plan loader."""
    errors = []
    for t in thresholds or []:
        where = f"thresholds[{t.get('code')}]"
        if t.get("product_line") is not None and t["product_line"] not in lines:
            errors.append((where, _("unknown product line “%(l)s”") % {"l": t["product_line"]}))
        for rule in t.get("rules", []):
            if rule.get("field") not in RULE_FIELDS:
                errors.append((where, _("unknown field “%(f)s”") % {"f": rule.get("field")}))
            elif rule.get("op") == "in":
                unknown = set(rule.get("value") or []) - categories
                if unknown:
                    names = ", ".join(sorted(unknown))
                    errors.append((where, _("unknown categories %(c)s") % {"c": names}))
            elif rule.get("op") not in NUMERIC_OPS or not isinstance(
                rule.get("value"), int | float
            ):
                reason = _("a rule needs op lte, lt, gte or gt and a number: %(r)s") % {"r": rule}
                errors.append((where, reason))
    return errors
