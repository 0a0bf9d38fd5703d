"""Loading the plan file: validation, idempotency, versions, diff."""

from __future__ import annotations

import pytest
from django.conf import settings

from tirebrain.core.errors import Rejected
from tirebrain.core.models import AuditEntry
from tirebrain.orgs.models import Cluster, Organisation
from tirebrain.plan.models import PlanVersion, Target, Task
from tirebrain.plan.services import diff_versions, load_plan


def test_plan_file_loads_all_targets_and_tasks(plan):
    assert list(plan.targets.values_list("code", flat=True)) == [f"T{i}" for i in range(1, 19)]
    assert plan.tasks.count() == 17
    assert Organisation.objects.departments().count() == len(plan.data["departments"])
    peninsula = Cluster.objects.get(code="peninsula")
    assert sorted(peninsula.cities.values_list("code", flat=True)) == ["370200", "370600", "371000"]
    north = Cluster.objects.get(code="north")
    assert sorted(north.cities.values_list("code", flat=True)) == ["370500", "370700"]
