"""Changes made in the admin are audited with before and after, and keep the roll-ups right."""

from __future__ import annotations

from tests.factories import enterprise, user, values
from tirebrain.core.models import AuditEntry
from tirebrain.datavalues.models import ValueRollup
from tirebrain.orgs.models import Cluster, Organisation


def admin_client(client):
    client.force_login(user("admin", "province"))
    return client


def test_cluster_membership_change_is_audited(client, plan):
    c = admin_client(client)
    cluster = Cluster.objects.get(code="peninsula")
    weifang = Organisation.objects.get(code="370700")
    members = list(cluster.cities.values_list("pk", flat=True))
    response = c.post(
        f"/admin/orgs/cluster/{cluster.pk}/change/",
        {
            "code": "peninsula",
            "name_zh": cluster.name_zh,
            "name_en": cluster.name_en,
            "wording_zh": cluster.wording_zh,
            "cities": [*members, weifang.pk],
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="cluster", action="update")
    assert entry.before["cities"] == sorted(members)
    assert entry.after["cities"] == sorted([*members, weifang.pk])
    assert entry.actor_name == "admin"


def test_moving_an_enterprise_in_the_admin_moves_its_values(client, plan):
    ent = enterprise(1, "370500")
    values(ent, "2024", revenue=1e9)
    c = admin_client(client)
    qingdao = Organisation.objects.get(code="370200")
    form = {
        "code": ent.code,
        "name_zh": ent.name_zh,
        "name_en": ent.name_en,
        "short_zh": "",
        "city": qingdao.pk,
        "above_scale": "on",
        "address": "",
        "honours-TOTAL_FORMS": "0",
        "honours-INITIAL_FORMS": "0",
        "honours-MIN_NUM_FORMS": "0",
        "honours-MAX_NUM_FORMS": "1000",
    }
    response = c.post(f"/admin/orgs/enterprise/{ent.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    cities = set(
        ValueRollup.objects.filter(element__code="revenue").values_list("city__code", flat=True)
    )
    assert cities == {"370200"}
    entry = AuditEntry.objects.filter(object_type="enterprise", action="update").latest("id")
    assert (entry.before["city"], entry.after["city"]) == ("370500", "370200")
