"""Small hand-made worlds for tests: enterprises with known values and honours."""

from __future__ import annotations

from tirebrain.accounts.services import create_user
from tirebrain.datavalues.services import ValueInput, store_values
from tirebrain.orgs.creditcode import make_credit_code
from tirebrain.orgs.models import Enterprise
from tirebrain.orgs.services import EnterpriseInput, HonourInput, save_enterprise


def credit_code(n: int, division: str = "370500") -> str:
    """A valid credit code, different for every ``n``."""
    return make_credit_code(division, f"{n:08d}")


def enterprise(
    n: int,
    city: str,
    *,
    above_scale: bool = True,
    honours: list[tuple[str, str, int]] = (),
    name: str | None = None,
    lines: list[str] = ("semi_steel_radial",),
) -> Enterprise:
    return save_enterprise(
        "tests",
        EnterpriseInput(
            code=credit_code(n, city),
            name_zh=name or f"测试轮胎{n}有限公司",
            name_en=f"Test Tyre {n}",
            city=city,
            above_scale=above_scale,
            product_lines=list(lines),
            honours=[HonourInput(*h) for h in honours],
        ),
    )


def values(ent: Enterprise, period: str, **by_element: float) -> None:
    store_values("tests", [ValueInput(e, period, ent.code, v) for e, v in by_element.items()])


def user(name: str, role: str, scope: str | None = None):
    return create_user("tests", name, role=role, scope=scope, password="pw-for-tests-1")[0]
