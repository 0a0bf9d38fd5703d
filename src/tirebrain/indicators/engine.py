"""Indicator formulas from the plan file, evaluated over additive database aggregates.

Every formula type is a registered handler that names the *components* it needs — sums and
counts of a data element, numbers of enterprises holding an honour, numbers of enterprises whose
value meets a condition — and combines their totals into a value. Components are additive over
disjoint sets of enterprises, so they are fetched once, grouped by city (from the roll-up table)
or by enterprise, and any scope (province, cluster, city, enterprise) is the sum over its units.
The database does the heavy aggregation; Python only combines a few thousand totals.

Adding a formula type is writing one handler class and registering it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext as _

# --- components --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agg:
    """Sum and count of one element's yearly values, optionally above-scale only / in clusters."""

    element: str
    above_scale: bool | None = None
    clusters: tuple[str, ...] | None = None


@dataclass(frozen=True)
class HonourHolders:
    """Number of enterprises holding any of the honours (at the levels) by the end of a year."""

    honours: tuple[str, ...]
    levels: tuple[str, ...]
    since_year: int | None = None


@dataclass(frozen=True)
class CountWhere:
    """Number of enterprises whose yearly value of an element meets ``op value``."""

    element: str
    op: str
    value: float


@dataclass(frozen=True)
class ProductOutputs:
    """Tyres made in a year by registered products (all of them, or the high-end ones only):
    the sum is the output, the count the number of products with output that year."""

    high_end: bool


Component = Agg | HonourHolders | CountWhere | ProductOutputs
OPS = {"gte", "gt", "lte", "lt"}


# --- handlers ----------------------------------------------------------------------------------

Totals = Callable[[Component, int], tuple[float, int]]
"""totals(component, year) → (sum, count) over the scope being evaluated."""


class Handler:
    #: Intensive indicators (ratios, means) compare across scopes; extensive ones add up.
    intensive: ClassVar[bool] = False

    def errors(self, d: dict[str, Any], ctx: Context) -> list[str]:
        return []

    def components(self, d: dict[str, Any]) -> list[Component]:
        raise NotImplementedError

    def value(self, d: dict[str, Any], totals: Totals, year: int) -> float | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Context:
    elements: set[str]
    honours: set[str]
    clusters: set[str]

    def element_errors(self, d: dict[str, Any], *keys: str) -> list[str]:
        out = []
        for key in keys:
            if key not in d:
                out.append(_("“%(k)s” is missing") % {"k": key})
            elif d[key] not in self.elements:
                out.append(_("unknown data element “%(e)s”") % {"e": d[key]})
        return out

    def filter_errors(self, d: dict[str, Any]) -> list[str]:
        f = d.get("filter") or {}
        unknown = set(f) - {"above_scale", "cluster"}
        out = [_("unknown filter “%(f)s”") % {"f": k} for k in sorted(unknown)]
        if "cluster" in f and f["cluster"] not in self.clusters:
            out.append(_("unknown cluster “%(c)s”") % {"c": f["cluster"]})
        return out


def _agg(d: dict[str, Any], element: str) -> Agg:
    f = d.get("filter") or {}
    cluster = f.get("cluster")
    return Agg(element, f.get("above_scale"), (cluster,) if cluster else None)


def _scaled(d: dict[str, Any], x: float) -> float:
    return x * float(d.get("multiplier", 1)) / float(d.get("divisor", 1))


class SumHandler(Handler):
    def errors(self, d, ctx):
        return ctx.element_errors(d, "element") + ctx.filter_errors(d)

    def components(self, d):
        return [_agg(d, d["element"])]

    def value(self, d, totals, year):
        total, n = totals(_agg(d, d["element"]), year)
        return _scaled(d, total) if n else None


class MeanHandler(SumHandler):
    intensive = True

    def value(self, d, totals, year):
        total, n = totals(_agg(d, d["element"]), year)
        return _scaled(d, total / n) if n else None


class RatioHandler(Handler):
    intensive = True

    def errors(self, d, ctx):
        return ctx.element_errors(d, "numerator", "denominator") + ctx.filter_errors(d)

    def components(self, d):
        return [_agg(d, d["numerator"]), _agg(d, d["denominator"])]

    def value(self, d, totals, year):
        num, n_num = totals(_agg(d, d["numerator"]), year)
        den, n_den = totals(_agg(d, d["denominator"]), year)
        if not n_num or not n_den or den == 0:
            return None
        return _scaled(d, num / den)


class HonourCountHandler(Handler):
    def errors(self, d, ctx):
        honours = d.get("honours") or []
        out = [] if honours else [_("“honours” is missing")]
        out += [_("unknown honour “%(h)s”") % {"h": h} for h in honours if h not in ctx.honours]
        return out

    def _component(self, d):
        return HonourHolders(
            tuple(d["honours"]),
            tuple(d.get("levels") or ("national", "provincial")),
            d.get("since_year"),
        )

    def components(self, d):
        return [self._component(d)]

    def value(self, d, totals, year):
        return totals(self._component(d), year)[0]


class CountWhereHandler(Handler):
    def errors(self, d, ctx):
        out = ctx.element_errors(d, "element")
        if d.get("op") not in OPS:
            out.append(_("“op” must be one of gte, gt, lte, lt"))
        if not isinstance(d.get("value"), int | float):
            out.append(_("“value” must be a number"))
        return out

    def components(self, d):
        return [CountWhere(d["element"], d["op"], float(d["value"])), Agg(d["element"])]

    def value(self, d, totals, year):
        if not totals(Agg(d["element"]), year)[1]:
            return None  # nobody reported the element that year: no data, not zero
        return totals(CountWhere(d["element"], d["op"], float(d["value"])), year)[0]


class ClusterShareHandler(Handler):
    intensive = True

    def errors(self, d, ctx):
        out = ctx.element_errors(d, "element")
        out += [
            _("unknown cluster “%(c)s”") % {"c": c}
            for c in d.get("clusters", [])
            if c not in ctx.clusters
        ]
        return out

    def components(self, d):
        return [Agg(d["element"], None, tuple(d["clusters"])), Agg(d["element"])]

    def value(self, d, totals, year):
        part, _n = totals(Agg(d["element"], None, tuple(d["clusters"])), year)
        whole, n = totals(Agg(d["element"]), year)
        return _scaled(d, part / whole) if n and whole else None


class YearOnYearHandler(Handler):
    intensive = True

    def errors(self, d, ctx):
        return indicator_errors(d.get("of"), ctx.elements, ctx.honours, ctx.clusters)

    def components(self, d):
        return handler_for(d["of"]).components(d["of"])

    def value(self, d, totals, year):
        inner = handler_for(d["of"])
        now, before = inner.value(d["of"], totals, year), inner.value(d["of"], totals, year - 1)
        if now is None or not before:
            return None
        return (now / before - 1) * 100


class MaxOfHandler(Handler):
    intensive = True

    def errors(self, d, ctx):
        parts = d.get("of") or []
        out = [] if parts else [_("“of” needs at least one indicator")]
        for part in parts:
            out += indicator_errors(part, ctx.elements, ctx.honours, ctx.clusters)
        return out

    def components(self, d):
        return [c for part in d["of"] for c in handler_for(part).components(part)]

    def parts(self, d, totals, year) -> list[float | None]:
        return [handler_for(p).value(p, totals, year) for p in d["of"]]

    def value(self, d, totals, year):
        values = [v for v in self.parts(d, totals, year) if v is not None]
        return max(values) if values else None


class ProductShareHandler(Handler):
    """Share of high-end products in the product registry (T18), by output or by count."""

    intensive = True

    def errors(self, d, ctx):
        if d.get("measure", "output") not in ("output", "count"):
            return [_("“measure” must be output or count")]
        return []

    def components(self, d):
        return [ProductOutputs(high_end=True), ProductOutputs(high_end=False)]

    def value(self, d, totals, year):
        pick = 0 if d.get("measure", "output") == "output" else 1
        part = totals(ProductOutputs(high_end=True), year)[pick]
        whole = totals(ProductOutputs(high_end=False), year)[pick]
        return _scaled(d, part / whole) if whole else None


HANDLERS: dict[str, Handler] = {
    "sum": SumHandler(),
    "mean": MeanHandler(),
    "ratio": RatioHandler(),
    "honour_count": HonourCountHandler(),
    "count_where": CountWhereHandler(),
    "cluster_share": ClusterShareHandler(),
    "yoy_change": YearOnYearHandler(),
    "max_of": MaxOfHandler(),
    "product_share": ProductShareHandler(),
}


def handler_for(d: dict[str, Any]) -> Handler:
    return HANDLERS[d["type"]]


def indicator_errors(
    d: Any, elements: set[str], honours: set[str], clusters: set[str]
) -> list[str]:
    """Problems with an indicator definition, in words a plan-file editor can act on."""
    if not isinstance(d, dict) or "type" not in d:
        return [_("an indicator needs a “type”")]
    if d["type"] not in HANDLERS:
        return [
            _("unknown indicator type “%(t)s”; known: %(k)s")
            % {"t": d["type"], "k": ", ".join(sorted(HANDLERS))}
        ]
    return HANDLERS[d["type"]].errors(d, Context(elements, honours, clusters))


# --- fetching component totals ----------------------------------------------------------------


class ComponentTable:
    """Component totals per year and unit (a city id, or an enterprise id), fetched in bulk."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Component, int, int], list] = {}

    def add(self, comp: Component, year: int, unit: int, total: float, count: int) -> None:
        cell = self.cells.get((comp, year, unit))
        if cell is None:
            self.cells[comp, year, unit] = [total, count]
        else:
            cell[0] += total
            cell[1] += count

    def totals_over(self, units: Iterable[int]) -> Totals:
        """totals(component, year) summed over the units; each answer computed once."""
        units = list(units)
        cells = self.cells
        memo: dict[tuple[Component, int], tuple[float, int]] = {}
        empty = (0.0, 0)

        def totals(comp: Component, year: int) -> tuple[float, int]:
            if (comp, year) not in memo:
                parts = [cells.get((comp, year, u), empty) for u in units]
                memo[comp, year] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
            return memo[comp, year]

        return totals


def _cluster_cities(aggs: list[Agg]) -> dict[tuple[str, ...], set[int]]:
    """For each clusters tuple the aggregates name, the ids of its member cities: one query."""
    from tirebrain.orgs.models import Cluster

    wanted = {a.clusters for a in aggs if a.clusters}
    if not wanted:
        return {}
    members: dict[str, set[int]] = defaultdict(set)
    codes = set().union(*wanted)
    for code, city in Cluster.objects.filter(code__in=codes).values_list("code", "cities__id"):
        members[code].add(city)
    return {w: set().union(*(members[c] for c in w)) for w in wanted}


OP_LOOKUP = {"gte": "gte", "gt": "gt", "lte": "lte", "lt": "lt"}


def fetch_by_city(components: set[Component], years: list[int]) -> ComponentTable:
    """Totals of every component per (year, city): a handful of grouped queries in all."""
    from tirebrain.datavalues.models import DataValue, ValueRollup

    table = ComponentTable()
    aggs = [c for c in components if isinstance(c, Agg)]
    if aggs:
        rows = (
            ValueRollup.objects.filter(
                element__code__in={a.element for a in aggs},
                period__period_type="year",
                period__year__in=years,
            )
            .values_list(
                "element__code", "period__year", "city_id", "above_scale", "total", "count"
            )
            .order_by()
        )
        cluster_cities = _cluster_cities(aggs)
        by_element: dict[str, list[Agg]] = defaultdict(list)
        for a in aggs:
            by_element[a.element].append(a)
        for element, year, city, above, total, n in rows:
            for a in by_element[element]:
                if a.above_scale is not None and a.above_scale != above:
                    continue
                if a.clusters and city not in cluster_cities[a.clusters]:
                    continue
                table.add(a, year, city, float(total), int(n))
    _add_honour_holders(table, components, "enterprise__city_id", years)
    _add_product_outputs(table, components, "product__enterprise__city_id", years)
    for w in (c for c in components if isinstance(c, CountWhere)):
        # One query per condition: the (element, period, value) index answers it directly,
        # where a single query with conditional counts would read every value of the elements.
        rows = (
            DataValue.objects.filter(
                element__code=w.element,
                period__period_type="year",
                period__year__in=years,
                org__kind="enterprise",
                **{f"value__{OP_LOOKUP[w.op]}": w.value},
            )
            .values_list("period__year", "org__enterprise__city_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for year, city, n in rows:
            table.add(w, year, city, float(n), n)
    return table


def fetch_by_enterprise(
    components: set[Component], years: list[int], enterprises
) -> ComponentTable:
    """Totals of every component per (year, enterprise) for a queryset of enterprises."""
    from tirebrain.datavalues.models import DataValue

    table = ComponentTable()
    aggs = [c for c in components if isinstance(c, Agg)]
    wheres = [c for c in components if isinstance(c, CountWhere)]
    elements = {a.element for a in aggs} | {w.element for w in wheres}
    facts = {
        pk: (above, city)
        for pk, above, city in enterprises.values_list("pk", "above_scale", "city_id")
    }
    enterprise_ids = enterprises.values("pk")
    cluster_cities = _cluster_cities(aggs)
    rows = DataValue.objects.filter(
        element__code__in=elements,
        period__period_type="year",
        period__year__in=years,
        org_id__in=enterprise_ids,
    ).values_list("element__code", "period__year", "org_id", "value")
    compare = {"gte": float.__ge__, "gt": float.__gt__, "lte": float.__le__, "lt": float.__lt__}
    for element, year, org, value in rows:
        value = float(value)
        for a in aggs:
            if a.element != element:
                continue
            if a.above_scale is not None and a.above_scale != facts[org][0]:
                continue
            if a.clusters and facts[org][1] not in cluster_cities[a.clusters]:
                continue
            table.add(a, year, org, value, 1)
        for w in wheres:
            if w.element == element and compare[w.op](value, w.value):
                table.add(w, year, org, 1.0, 1)
    _add_honour_holders(table, components, "enterprise_id", years, enterprise_ids)
    _add_product_outputs(table, components, "product__enterprise_id", years, enterprise_ids)
    return table


def _add_product_outputs(
    table: ComponentTable,
    components: set[Component],
    unit: str,
    years: list[int],
    enterprise_ids=None,
) -> None:
    """Output and number of products per year and unit, all and high-end: one grouped query."""
    from tirebrain.products.models import ProductOutput

    if not any(isinstance(c, ProductOutputs) for c in components):
        return
    qs = ProductOutput.objects.filter(year__in=years)
    if enterprise_ids is not None:
        qs = qs.filter(product__enterprise_id__in=enterprise_ids)
    high = Q(product__is_high_end=True)
    rows = (
        qs.values("year", unit)
        .annotate(
            all_units=Sum("units"),
            n=Count("id"),
            high_units=Sum("units", filter=high),
            high_n=Count("id", filter=high),
        )
        .order_by()
    )
    for r in rows:
        table.add(ProductOutputs(False), r["year"], r[unit], float(r["all_units"]), r["n"])
        if r["high_n"]:
            table.add(ProductOutputs(True), r["year"], r[unit], float(r["high_units"]), r["high_n"])


def _add_honour_holders(
    table: ComponentTable,
    components: set[Component],
    unit: str,
    years: list[int],
    enterprise_ids=None,
) -> None:
    """How many enterprises hold each honour component at the end of each year, per unit.

    One query grouped by enterprise gives, for every component, the first year the enterprise
    held any of its honours (a conditional MIN), so an enterprise holding two of them counts once.
    """
    from tirebrain.orgs.models import Honour

    comps = sorted((c for c in components if isinstance(c, HonourHolders)), key=repr)
    if not comps:
        return
    firsts = {}
    for i, comp in enumerate(comps):
        q = Q(honour_type__code__in=comp.honours, level__in=comp.levels)
        if comp.since_year:
            q &= Q(year__gte=comp.since_year)
        firsts[f"h{i}"] = Min("year", filter=q)
    qs = Honour.objects.filter(honour_type__code__in={h for c in comps for h in c.honours})
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    rows = list(qs.values("enterprise_id", unit).annotate(**firsts).order_by())
    for i, comp in enumerate(comps):
        counts = Counter((r[unit], r[f"h{i}"]) for r in rows if r[f"h{i}"] is not None)
        for (where, first), n in counts.items():
            for year in years:
                if first <= year:
                    table.add(comp, year, where, float(n), n)
