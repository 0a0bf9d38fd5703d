"""The cockpit's computations: every target for a scope and year, drill-down, records behind.

A *scope* is where a figure is measured: the province, a cluster, a city or one enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.http import Http404

from tirebrain.datavalues.models import DataValue, ValueRollup
from tirebrain.indicators.engine import (
    Agg,
    Component,
    ComponentTable,
    CountWhere,
    HonourHolders,
    MaxOfHandler,
    ProductOutputs,
    fetch_by_city,
    fetch_by_enterprise,
    handler_for,
)
from tirebrain.indicators.status import (
    Status,
    expected_value,
    level_status,
    meets,
    projection,
    trend_status,
)
from tirebrain.orgs.models import Cluster, Enterprise, Honour, Organisation, OrgKind
from tirebrain.plan.models import PlanVersion, Target
from tirebrain.products.models import ProductOutput


@dataclass(frozen=True)
class Scope:
    kind: str  # province | cluster | city | enterprise
    code: str
    name_zh: str
    name_en: str
    cities: frozenset[int] = frozenset()
    enterprise_id: int | None = None
    city_code: str = ""

    @property
    def name(self) -> str:
        from tirebrain.core.i18n import localized

        return localized(self)


def province_scope() -> Scope:
    province = Organisation.objects.filter(kind=OrgKind.PROVINCE).first()
    cities = frozenset(Organisation.objects.cities().values_list("id", flat=True))
    if province is None:
        return Scope("province", "", "山东省", "Shandong", cities)
    return Scope("province", province.code, province.name_zh, province.name_en, cities)


def cluster_scope(cluster: Cluster) -> Scope:
    return Scope(
        "cluster",
        cluster.code,
        cluster.name_zh,
        cluster.name_en,
        frozenset(cluster.cities.values_list("id", flat=True)),
    )


def city_scope(city: Organisation) -> Scope:
    return Scope(
        "city", city.code, city.name_zh, city.name_en, frozenset([city.id]), city_code=city.code
    )


def enterprise_scope(ent: Enterprise) -> Scope:
    return Scope(
        "enterprise",
        ent.code,
        ent.name_zh,
        ent.name_en,
        frozenset([ent.city_id]),
        ent.pk,
        city_code=ent.city.code,
    )


def resolve_scope(code: str | None) -> Scope:
    """The scope a code names: empty or 370000 → province; a cluster, city or credit code."""
    code = (code or "").strip()
    if not code:
        return province_scope()
    org = Organisation.objects.filter(code=code.upper()).first()
    if org is None:
        cluster = Cluster.objects.filter(code=code).first()
        if cluster is None:
            raise Http404("Unknown scope")
        return cluster_scope(cluster)
    if org.kind == OrgKind.PROVINCE:
        return province_scope()
    if org.kind == OrgKind.CITY:
        return city_scope(org)
    if org.kind == OrgKind.ENTERPRISE:
        return enterprise_scope(Enterprise.objects.select_related("city").get(pk=org.pk))
    raise Http404("Not a scope")


def scope_for(user, code: str | None) -> Scope:
    """The scope ``code`` names, if the user may see it; Http404 otherwise.

    The one rule for pages and API alike: provincial and department officers choose any area;
    a city officer sees its city and its enterprises; an enterprise user only itself; and a
    single enterprise's figures only for those who may see its reported values.
    """
    from tirebrain.accounts.access import cockpit_scopes_for, may_see_values_of, role_of
    from tirebrain.accounts.models import Role

    free, fixed = cockpit_scopes_for(user)
    code = (code or "").strip()
    if not free:
        if code and code.upper() != fixed.code:
            inside = (
                role_of(user) == Role.CITY
                and Enterprise.objects.filter(code=code.upper(), city_id=fixed.pk).exists()
            )
            if not inside:
                raise Http404("Out of scope")
        code = code or fixed.code
    scope = resolve_scope(code)
    if scope.kind == "enterprise" and not may_see_values_of(
        user, Organisation.objects.get(pk=scope.enterprise_id)
    ):
        raise Http404("Out of scope")
    return scope


def data_years() -> list[int]:
    """Years for which any enterprise reported a yearly value, oldest first (from the roll-up)."""
    return sorted(
        ValueRollup.objects.filter(period__period_type="year")
        .values_list("period__year", flat=True)
        .distinct()
    )


@dataclass
class TargetResult:
    target: Target
    year: int
    value: float | None
    series: dict[int, float | None]
    baseline: float | None
    expected: float | None
    percent: float | None
    status: Status
    projection: float | None
    projection_meets: bool | None
    previous: float | None
    applies: bool
    parts: list[tuple[dict, float | None]] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


def _components(targets: list[Target]) -> set[Component]:
    return {c for t in targets for c in handler_for(t.indicator).components(t.indicator)}


def _applies(target: Target, scope: Scope) -> bool:
    """Does the target (set for the province) have a status at this scope?"""
    if scope.kind == "province":
        return True
    cluster = (target.indicator.get("filter") or {}).get("cluster")
    if cluster:
        return scope.kind == "cluster" and scope.code == cluster
    return handler_for(target.indicator).intensive


def _series_years(targets: list[Target], year: int) -> list[int]:
    """The years a target's series shows: from the first data or baseline year to ``year``."""
    years = set(data_years()) | {t.baseline_year for t in targets}
    lowest = min(years) if years else year
    return list(range(lowest, year + 1))


def _fetch_years(years: list[int]) -> list[int]:
    """Years to fetch so that each year's value and its year-on-year change can be computed."""
    return sorted(set(years) | {y - 1 for y in years})


def table_for(scope: Scope, components: set[Component], years: list[int]) -> ComponentTable:
    if scope.kind == "enterprise":
        enterprise = Enterprise.objects.filter(pk=scope.enterprise_id)
        return fetch_by_enterprise(components, years, enterprise)
    return fetch_by_city(components, years)


def units_of(scope: Scope) -> list[int]:
    return [scope.enterprise_id] if scope.kind == "enterprise" else list(scope.cities)


def evaluate_targets(version: PlanVersion, scope: Scope, year: int) -> list[TargetResult]:
    """Every target of the plan version for the scope and year, with series, status, projection."""
    return _evaluate_targets(version, scope, year)[0]


def _evaluate_targets(
    version: PlanVersion, scope: Scope, year: int
) -> tuple[list[TargetResult], ComponentTable]:
    targets = list(version.targets.all())
    years = _series_years(targets, year)
    table = table_for(scope, _components(targets), _fetch_years(years))
    totals = table.totals_over(units_of(scope))
    return [_result(version, t, scope, year, years, totals) for t in targets], table


def evaluate_cockpit(
    version: PlanVersion, scope: Scope, year: int, focus: Target, children: list[Scope]
) -> tuple[list[TargetResult], list[ChildRow]]:
    """All targets for the scope, and the ``focus`` target across the children, in one fetch.

    The per-city totals fetched for the targets hold every component and year the children's
    rows need, so a province or cluster page asks the database once.
    """
    results, table = _evaluate_targets(version, scope, year)
    parent = next((r.value for r in results if r.target == focus), None)
    city_table = table if scope.kind != "enterprise" else None
    rows = evaluate_children(version, focus, children, year, parent, city_table) if children else []
    return results, rows


def _result(version, target: Target, scope: Scope, year: int, years, totals) -> TargetResult:
    rule = version.status_rule
    handler = handler_for(target.indicator)
    series = {y: handler.value(target.indicator, totals, y) for y in years}
    value, previous = series.get(year), series.get(year - 1)
    applies = _applies(target, scope)
    baseline = target.baseline_value
    if baseline is None:
        baseline = series.get(target.baseline_year)
    expected = percent = proj = None
    proj_meets = None
    status = Status.NOT_APPLICABLE
    if target.kind == "level" and target.target_value is not None:
        t = target.target_value
        if applies and value is not None and t:
            percent = value / t * 100 if target.direction == "increase" else t / value * 100
        if baseline is not None:
            expected = expected_value(target.baseline_year, baseline, target.target_year, t, year)
        proj = projection(series, year, target.target_year)
        proj_meets = None if proj is None or not applies else meets(proj, target.comparison, t)
        if applies:
            status = level_status(
                value=value,
                year=year,
                baseline_year=target.baseline_year,
                baseline=baseline,
                target_year=target.target_year,
                target=t,
                direction=target.direction,
                comparison=target.comparison,
                tolerance=float(rule.get("at_risk_tolerance", 0.1)),
            )
    else:
        proj = projection(series, year, target.target_year)
        if proj is not None and value is not None:
            proj_meets = (proj > value) if target.direction == "increase" else (proj < value)
        if applies:
            status = trend_status(
                value=value,
                previous=previous,
                direction=target.direction,
                flat_tolerance=float(rule.get("trend_flat_tolerance", 0.005)),
            )
    parts = []
    if isinstance(handler, MaxOfHandler):
        parts = list(
            zip(target.indicator["of"], handler.parts(target.indicator, totals, year), strict=True)
        )
    return TargetResult(
        target,
        year,
        value,
        series,
        baseline,
        expected,
        percent,
        status,
        proj,
        proj_meets,
        previous,
        applies,
        parts,
    )


@dataclass
class ChildRow:
    scope: Scope
    value: float | None
    status: Status
    previous: float | None
    share: float | None = None  # percent of the parent's value, for sums and counts


def children_of(scope: Scope) -> list[Scope]:
    """The scopes one level down: province → clusters and cities; cluster → cities; city → firms."""
    if scope.kind == "province":
        return [cluster_scope(c) for c in Cluster.objects.all()] + [
            city_scope(c) for c in Organisation.objects.cities()
        ]
    if scope.kind == "cluster":
        return [city_scope(c) for c in Organisation.objects.cities().filter(id__in=scope.cities)]
    if scope.kind == "city":
        rows = Enterprise.objects.filter(city_id__in=scope.cities).values_list(
            "pk", "code", "name_zh", "name_en", "city_id", "city__code"
        )
        return [
            Scope("enterprise", code, zh, en, frozenset([city]), pk, city_code=city_code)
            for pk, code, zh, en, city, city_code in rows
        ]
    return []


def evaluate_children(
    version: PlanVersion,
    target: Target,
    children: list[Scope],
    year: int,
    parent_value: float | None = None,
    city_table: ComponentTable | None = None,
) -> list[ChildRow]:
    """One target across sibling scopes (for drill-down tables and the map): one fetch for all.

    For extensive indicators (sums, counts) each row also carries its share of ``parent_value``.
    """
    extensive = not handler_for(target.indicator).intensive
    # A drill-down row needs the year, the year before (trends) and the baseline year only.
    years = sorted({year - 1, year, target.baseline_year})
    fetch = _fetch_years(years)
    comps = _components([target])
    firms = [c for c in children if c.kind == "enterprise"]
    if city_table is None and len(firms) < len(children):
        city_table = fetch_by_city(comps, fetch)
    ent_table = None
    if firms:  # every enterprise of the children's cities: a subquery, not a list of ids
        cities = set().union(*(c.cities for c in firms))
        ent_table = fetch_by_enterprise(comps, fetch, Enterprise.objects.filter(city_id__in=cities))
    rows = []
    for child in children:
        table = ent_table if child.kind == "enterprise" else city_table
        r = _result(version, target, child, year, years, table.totals_over(units_of(child)))
        share = None
        if extensive and parent_value and r.value is not None:
            share = r.value / parent_value * 100
        rows.append(ChildRow(child, r.value, r.status, r.previous, share))
    # Best first (highest for rising targets, lowest for falling ones); no data last.
    order = -1 if target.direction == "increase" else 1
    rows.sort(key=lambda row: (row.value is None, order * (row.value or 0)))
    return rows


# --- records behind a figure ---------------------------------------------------------------------


def enterprises_in(scope: Scope) -> QuerySet[Enterprise]:
    if scope.kind == "enterprise":
        return Enterprise.objects.filter(pk=scope.enterprise_id)
    return Enterprise.objects.filter(city_id__in=scope.cities)


class Records(NamedTuple):
    """The records a figure is computed from."""

    values: QuerySet
    honours: QuerySet
    products: QuerySet  # product outputs, for product-registry indicators


def records_behind(target: Target, scope: Scope, year: int) -> Records:
    """(values, honours) that the figure of ``target`` at ``scope`` in ``year`` comes from."""
    comps = handler_for(target.indicator).components(target.indicator)
    years = [year - 1, year] if target.indicator["type"] == "yoy_change" else [year]
    enterprises = enterprises_in(scope)
    value_filter = Q(pk__in=[])
    honour_filter = Q(pk__in=[])
    with_products = False
    for comp in comps:
        if isinstance(comp, Agg):
            q = Q(element__code=comp.element)
            if comp.above_scale is not None:
                q &= Q(org__enterprise__above_scale=comp.above_scale)
            if comp.clusters:
                q &= Q(org__enterprise__city__clusters__code__in=comp.clusters)
            value_filter |= q
        elif isinstance(comp, CountWhere):
            value_filter |= Q(element__code=comp.element)
        elif isinstance(comp, HonourHolders):
            q = Q(honour_type__code__in=comp.honours, level__in=comp.levels, year__lte=year)
            if comp.since_year:
                q &= Q(year__gte=comp.since_year)
            honour_filter |= q
        elif isinstance(comp, ProductOutputs):
            with_products = True
    values = (
        DataValue.objects.filter(
            value_filter,
            org__in=enterprises.values("pk"),
            period__period_type="year",
            period__year__in=years,
        )
        .select_related("element", "org", "period", "stored_by")
        .distinct()
        .order_by("element_id", "period_id", "org__code")
    )
    honours = (
        Honour.objects.filter(honour_filter, enterprise__in=enterprises)
        .select_related("enterprise", "honour_type")
        .order_by("honour_type_id", "year", "enterprise__code")
    )
    products = ProductOutput.objects.filter(
        year=year, product__enterprise__in=enterprises
    ).select_related("product", "product__enterprise")
    if not with_products:
        products = products.none()
    return Records(values, honours, products.order_by("-product__is_high_end", "product__size"))
