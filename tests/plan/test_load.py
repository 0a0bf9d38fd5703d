"""Loading the plan file: validation, idempotency, versions, diff."""

from __future__ import annotations

import io

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from tests.factories import user
from tirebrain.cli import main
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


# --- helpers -------------------------------------------------------------------------------------


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def keep_connection(monkeypatch):
    """``tirebrain.cli.main`` closes the connections when a command ends; a test needs its own."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def plan_data() -> dict:
    return yaml.safe_load(settings.PLAN_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data: dict, name: str = "plan.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def target(data: dict, code: str) -> dict:
    return next(t for t in data["targets"] if t["code"] == code)


NEW_TASK = {
    "code": "1.9",
    "name_zh": "新增测试任务",
    "name_en": "A task added for the test",
    "lead": ["dept-iit"],
    "departments": ["dept-st"],
}


def version_2(tmp_path):
    """The plan with T3's target raised from 30 to 35 and task 1.9 added to the first action."""
    data = plan_data()
    assert target(data, "T3")["target"]["value"] == 30
    target(data, "T3")["target"]["value"] = 35
    data["actions"][0]["tasks"].append(dict(NEW_TASK))
    return write(tmp_path, data, "plan-v2.yaml")


# --- idempotency and versions ------------------------------------------------------------------


def test_loading_the_same_file_twice_makes_no_new_version(plan):
    audit = AuditEntry.objects.count()
    again = load_plan("tests", settings.PLAN_FILE)
    assert again.created is False
    assert again.version == plan
    assert PlanVersion.objects.count() == 1
    assert Target.objects.count() == 18
    assert Task.objects.count() == 17
    assert AuditEntry.objects.count() == audit


def test_comments_and_formatting_make_no_new_version(plan, tmp_path):
    text = settings.PLAN_FILE.read_text(encoding="utf-8")
    assert "#" in text  # the repository's file has comments; the re-dumped one has none
    reformatted = write(tmp_path, plan_data(), "reformatted.yaml")
    assert reformatted.read_text(encoding="utf-8") != text
    result = load_plan("tests", reformatted)
    assert (result.created, result.version) == (False, plan)

    sorted_keys = tmp_path / "sorted.yaml"
    sorted_keys.write_text(
        "# a comment\n"
        + yaml.safe_dump(plan_data(), allow_unicode=False, sort_keys=True, width=60),
        encoding="utf-8",
    )
    assert load_plan("tests", sorted_keys).created is False
    assert PlanVersion.objects.count() == 1


def test_a_changed_value_and_an_added_task_make_version_2(plan, tmp_path):
    result = load_plan("tests", version_2(tmp_path))
    assert result.created is True
    v2 = result.version
    assert (v2.plan_code, v2.number) == (plan.plan_code, 2)
    assert v2.source_name == "plan-v2.yaml"
    assert PlanVersion.objects.current() == v2
    assert v2.targets.get(code="T3").target_value == 35
    assert v2.tasks.count() == 18
    assert v2.tasks.get(code="1.9").lead == ["dept-iit"]

    # version 1 is kept as it was
    v1 = PlanVersion.objects.get(plan_code=plan.plan_code, number=1)
    assert v1.targets.get(code="T3").target_value == 30
    assert target(v1.data, "T3")["target"]["value"] == 30
    assert v1.tasks.count() == 17
    assert not v1.tasks.filter(code="1.9").exists()

    changes = diff_versions(v1, v2)
    assert [(c.section, c.code, c.kind, c.field) for c in changes] == [
        ("targets", "T3", "changed", "target.value"),
        ("tasks", "1.9", "added", ""),
    ]
    assert (changes[0].before, changes[0].after) == (30, 35)
    assert changes[1].after == NEW_TASK

    back = diff_versions(v2, v1)
    assert [(c.section, c.code, c.kind) for c in back] == [
        ("targets", "T3", "changed"),
        ("tasks", "1.9", "removed"),
    ]
    assert diff_versions(v1, v1) == []

    # loading version 2 again is a no-op; going back to the first file is a new version
    assert load_plan("tests", version_2(tmp_path)).created is False
    v3 = load_plan("tests", settings.PLAN_FILE).version
    assert v3.number == 3
    assert diff_versions(v1, v3) == []


def test_changed_wording_and_department_make_a_new_version(plan, tmp_path):
    data = plan_data()
    target(data, "T1")["name_en"] = "R&D intensity (renamed)"
    data["departments"][0]["short_zh"] = "工信"
    v2 = load_plan("tests", write(tmp_path, data)).version
    assert v2.number == 2
    changes = diff_versions(plan, v2)
    assert {(c.section, c.code, c.field) for c in changes} == {
        ("targets", "T1", "name_en"),
        ("departments", "dept-iit", "short_zh"),
    }
    assert Organisation.objects.get(code="dept-iit").short_zh == "工信"


# --- refusals -----------------------------------------------------------------------------------


def broken(mutate):
    data = plan_data()
    mutate(data)
    return data


def _unknown_element(d):
    target(d, "T1")["indicator"]["numerator"] = "rd_spending"


def _unknown_department(d):
    d["actions"][0]["tasks"][0]["departments"].append("dept-nowhere")


def _duplicate_target(d):
    target(d, "T2")["code"] = "T1"


def _unknown_type(d):
    target(d, "T3")["indicator"] = {"type": "crystal_ball", "element": "revenue"}


def _unknown_honour(d):
    target(d, "T6")["indicator"]["honours"] = ["golden_tyre"]


def _unknown_cluster_city(d):
    d["clusters"][0]["cities"].append("371200")


def _bad_kind(d):
    target(d, "T4")["kind"] = "wish"


def _level_without_number(d):
    target(d, "T5")["target"]["value"] = "98%"


def _missing_departments(d):
    del d["departments"]


def _duplicate_task(d):
    d["actions"][1]["tasks"].append(dict(NEW_TASK, code="1.1", lead=[], departments=[]))


def _baseline_without_year(d):
    del target(d, "T1")["baseline"]["year"]


def _target_not_a_mapping(d):
    d["targets"].append("T19")


def _department_without_name(d):
    del d["departments"][0]["name_zh"]


def _task_without_name(d):
    del d["actions"][0]["tasks"][0]["name_zh"]


def _task_code_not_text(d):
    d["actions"][0]["tasks"][0]["code"] = 1.1  # unquoted in YAML: a number


def _name_too_long(d):
    target(d, "T1")["name_zh"] = "长" * 201


def _target_year_not_a_year(d):
    target(d, "T1")["target"]["year"] = "2027年"


def _targets_not_a_list(d):
    d["targets"] = {"T1": 3}


@pytest.mark.parametrize(
    ("mutate", "where", "words"),
    [
        (_baseline_without_year, "targets[T1].baseline.year", "year"),
        (_target_not_a_mapping, "targets[19]", "mapping"),
        (_department_without_name, "departments[dept-iit].name_zh", "missing"),
        (_task_without_name, "tasks[1.1].name_zh", "missing"),
        (_task_code_not_text, "tasks[1.1].code", "text"),
        (_name_too_long, "targets[T1].name_zh", "200"),
        (_target_year_not_a_year, "targets[T1].target.year", "year"),
        (_targets_not_a_list, "targets", "list"),
        (_unknown_element, "targets[T1].indicator", "rd_spending"),
        (_unknown_department, "tasks[1.1]", "dept-nowhere"),
        (_duplicate_target, "targets[T1]", "duplicate"),
        (_unknown_type, "targets[T3].indicator", "crystal_ball"),
        (_unknown_honour, "targets[T6].indicator", "golden_tyre"),
        (_unknown_cluster_city, "clusters[peninsula].cities", "371200"),
        (_bad_kind, "targets[T4].kind", "level"),
        (_level_without_number, "targets[T5].target.value", "number"),
        (_missing_departments, "departments", "missing"),
        (_duplicate_task, "tasks[1.1]", "duplicate"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(reference, tmp_path, mutate, where, words):
    path = write(tmp_path, broken(mutate))
    with pytest.raises(Rejected) as exc:
        load_plan("tests", path)
    assert [(e.field, e.source) for e in exc.value.errors] == [(where, "plan.yaml")]
    assert words in exc.value.errors[0].reason
    assert where in str(exc.value)
    assert not PlanVersion.objects.exists()
    assert not Target.objects.exists()
    assert not Organisation.objects.departments().exists()
    assert not Cluster.objects.exists()
    assert not AuditEntry.objects.filter(object_type="plan").exists()


def test_a_bad_file_leaves_the_loaded_version_current(plan, tmp_path):
    path = write(tmp_path, broken(_unknown_type))
    with pytest.raises(Rejected):
        load_plan("tests", path)
    assert list(PlanVersion.objects.all()) == [plan]
    assert PlanVersion.objects.current() == plan


def test_all_problems_are_reported_at_once(reference, tmp_path):
    def several(d):
        _unknown_element(d)
        _unknown_type(d)
        _unknown_department(d)

    with pytest.raises(Rejected) as exc:
        load_plan("tests", write(tmp_path, broken(several)))
    assert {e.field for e in exc.value.errors} == {
        "targets[T1].indicator",
        "targets[T3].indicator",
        "tasks[1.1]",
    }


def test_broken_yaml_is_refused_with_its_line(reference, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\ntitle_zh: 标题\ntargets: [\n  - code: T1\n", encoding="utf-8")
    with pytest.raises(Rejected) as exc:
        load_plan("tests", path)
    [error] = exc.value.errors
    assert (error.field, error.source) == ("yaml", "broken.yaml")
    assert error.row >= 3
    assert not PlanVersion.objects.exists()


def test_a_file_that_is_not_a_mapping_is_refused(reference, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(Rejected) as exc:
        load_plan("tests", path)
    assert exc.value.errors[0].field == "plan"


# --- the command ---------------------------------------------------------------------------------


def test_plan_load_command_prints_version_messages(reference, tmp_path, capsys, keep_connection):
    main(["plan", "load", str(settings.PLAN_FILE)])
    out = capsys.readouterr().out
    assert f"as {plan_data()['code']} version 1" in out
    assert "18 targets, 17 tasks" in out

    main(["plan", "load", str(settings.PLAN_FILE)])
    assert "unchanged: still" in capsys.readouterr().out
    assert PlanVersion.objects.count() == 1

    main(["plan", "load", str(version_2(tmp_path))])
    assert "version 2 (18 targets, 18 tasks)" in capsys.readouterr().out

    main(["plan", "list"])
    out = capsys.readouterr().out
    assert " v1 " in out and " v2 " in out and "plan-v2.yaml" in out


def test_plan_diff_command_prints_the_changes(plan, tmp_path, capsys, keep_connection):
    load_plan("tests", version_2(tmp_path))
    main(["plan", "diff", "1", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "~ targets T3 target.value: 30 → 35",
        "+ tasks 1.9",
        "2 change(s) from v1 to v2.",
    ]


def test_plan_diff_command_through_call_command(plan, tmp_path):
    load_plan("tests", version_2(tmp_path))
    out = io.StringIO()
    call_command("plan", "diff", "2", "1", stdout=out)
    assert "- tasks 1.9" in out.getvalue()
    assert "~ targets T3 target.value: 35 → 30" in out.getvalue()


def test_plan_commands_refuse_with_reasons(reference, tmp_path, capsys, keep_connection):
    bad = write(tmp_path, broken(_unknown_type), "bad.yaml")
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "load", str(bad)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "targets[T3].indicator" in err
    assert "nothing was stored" in err
    assert not PlanVersion.objects.exists()

    with pytest.raises(SystemExit) as exit_:
        main(["plan", "load", str(tmp_path / "missing.yaml")])
    assert exit_.value.code == 1
    assert "no such file" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        main(["plan", "diff", "1", "2"])
    assert "No plan is loaded" in capsys.readouterr().err

    load_plan("tests", settings.PLAN_FILE)
    with pytest.raises(SystemExit):
        main(["plan", "diff", "1", "7"])
    assert "no version 7" in capsys.readouterr().err


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def province_client(client, plan, tmp_path):
    load_plan("tests", version_2(tmp_path))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user("prov", "province"))
    return client


def test_plan_pages_render(province_client):
    page = province_client.get("/plan/")
    assert page.status_code == 200
    assert list(page.context["versions"].values_list("number", flat=True)) == [2, 1]

    page = province_client.get("/plan/v1/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "T18" in html
    assert page.context["version"].number == 1

    page = province_client.get("/plan/diff/?a=1&b=2")
    assert page.status_code == 200
    assert [(c.code, c.kind) for c in page.context["changes"]] == [
        ("T3", "changed"),
        ("1.9", "added"),
    ]
    html = page.content.decode()
    assert "target.value" in html
    assert "1.9" in html


@pytest.mark.parametrize("url", ["/plan/v9/", "/plan/diff/?a=1&b=9", "/plan/diff/?a=x&b=2"])
def test_plan_pages_answer_404_for_missing_versions(province_client, url):
    assert province_client.get(url).status_code == 404


def test_plan_pages_need_a_log_in(client, plan):
    response = client.get("/plan/")
    assert response.status_code == 302


def test_a_threshold_with_an_unknown_field_or_category_is_refused(reference, tmp_path):
    data = yaml.safe_load(settings.PLAN_FILE.read_text(encoding="utf-8"))
    data["thresholds"][0]["rules"][0]["field"] = "colour"
    data["thresholds"][2]["rules"][0]["value"] = ["flying"]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Rejected) as excinfo:
        load_plan("tests", path)
    fields = [e.field for e in excinfo.value.errors]
    assert fields == ["thresholds[semi_steel_high_performance]", "thresholds[self_sealing]"]
    assert not PlanVersion.objects.exists()
