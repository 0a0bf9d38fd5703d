"""Verdicts follow the rules: a new plan version with other thresholds re-derives the registry,
and ``tirebrain products rederive`` does it on demand."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import enterprise
from tirebrain.core.models import AuditEntry
from tirebrain.plan.services import load_plan
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, save_product


@pytest.fixture
def eco(plan):
    firm = enterprise(1, "370500")
    return save_product(
        "tests",
        ProductInput(
            enterprise=firm.code,
            brand="示例",
            pattern="EcoA",
            size="205/55 R16 91V",
            product_line="semi_steel_radial",
            rolling_resistance=Decimal("8.5"),
            wet_grip=Decimal("1.55"),
            noise_db=68,
        ),
    )


def test_a_plan_with_stricter_thresholds_re_derives_the_verdicts(eco, tmp_path):
    assert eco.is_high_end
    stricter = tmp_path / "plan.yaml"
    stricter.write_text(
        settings.PLAN_FILE.read_text(encoding="utf-8").replace(
            "{field: rolling_resistance, op: lte, value: 9.0,",
            "{field: rolling_resistance, op: lte, value: 8.0,",
        ),
        encoding="utf-8",
    )
    assert load_plan("tests", stricter).created
    eco.refresh_from_db()
    assert not eco.is_high_end
    assert eco.high_end_gap > 0
    assert AuditEntry.objects.filter(object_type="product", object_id="*").exists()


def test_the_command_changes_nothing_when_nothing_changed(eco):
    out = StringIO()
    call_command("products", "rederive", stdout=out)
    assert "0 products changed" in out.getvalue()
    Product.objects.filter(pk=eco.pk).update(rr_class="E", is_high_end=False)
    call_command("products", "rederive", stdout=out)
    eco.refresh_from_db()
    assert eco.rr_class != "E" and eco.is_high_end
