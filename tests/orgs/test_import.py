"""Importing the enterprise registry: all or nothing, with every bad row reported."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.factories import credit_code, enterprise, user
from tirebrain.core.errors import Rejected
from tirebrain.core.models import AuditAction, AuditEntry
from tirebrain.orgs import exchange
from tirebrain.orgs.creditcode import CHARSET
from tirebrain.orgs.models import Enterprise, Honour
from tirebrain.orgs.services import enterprise_snapshot, import_enterprises

CODES = [code for code, _label in exchange.COLUMNS]
LABELS = dict(exchange.COLUMNS)


pytestmark = pytest.mark.usefixtures("english")


def row(n: int, city: str = "370500", **fields) -> dict[str, object]:
    """A good import row for enterprise ``n``; ``fields`` override columns."""
    data = {
        "credit_code": credit_code(n, city if city.isdigit() else "370500"),
        "name_zh": f"导入轮胎{n}有限公司",
        "name_en": f"Imported Tyre {n}",
        "city": city,
        "above_scale": "是",
        "product_lines": "semi_steel_radial",
        "capacity_tyres": "1000000",
        "founded_year": "2001",
        "address": f"测试路{n}号",
        "honours": "",
    }
    data.update(fields)
    return data


GOOD = [
    row(
        1,
        "370500",
        product_lines="semi_steel_radial;all_steel_radial",
        honours="smart_factory:provincial:2023",
    ),
    row(
        2,
        "青岛",
        credit_code=credit_code(2, "370200"),
        above_scale="no",
        product_lines="全钢子午线轮胎",
        capacity_tyres="",
        founded_year="",
    ),
    row(
        3,
        "Weifang",
        credit_code=credit_code(3, "370700"),
        above_scale="yes",
        product_lines="otr; agricultural",
        honours="tech_centre:national:2020；green_factory:provincial:2022",
    ),
]


def table(rows: list[dict[str, object] | None], headers: str = "codes") -> list[list[object]]:
    """Header plus rows as a list of lists; ``None`` is a blank line."""
    columns = list(rows[0] if rows[0] is not None else CODES)
    head = [LABELS[c] for c in columns] if headers == "labels" else columns
    return [head] + [[] if r is None else [r.get(c, "") for c in columns] for r in rows]


def csv_bytes(lines: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in lines:
        writer.writerow(line)
    return out.getvalue().encode(encoding)


def xlsx_bytes(lines: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for line in lines:
        ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_for(fmt: str, lines: list[list[object]]) -> tuple[str, bytes]:
    if fmt == "csv":
        return "enterprises.csv", csv_bytes(lines)
    return "enterprises.xlsx", xlsx_bytes(lines)


def run_import(filename: str, content: bytes) -> tuple[int, int]:
    return import_enterprises("tests", exchange.read_rows(filename, content), source=filename)


def errors_of(exc: pytest.ExceptionInfo[Rejected]) -> dict[tuple[int, str], str]:
    return {(e.row, e.field): e.reason for e in exc.value.errors}


# --- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("headers", ["codes", "labels"])
def test_good_file_imports_enterprises_with_lines_and_honours(reference, fmt, headers):
    created, updated = run_import(*file_for(fmt, table(GOOD, headers)))

    assert (created, updated) == (3, 0)
    assert Enterprise.objects.count() == 3
    first = Enterprise.objects.get(code=GOOD[0]["credit_code"])
    assert first.name_zh == "导入轮胎1有限公司"
    assert first.name_en == "Imported Tyre 1"
    assert first.city.code == "370500"
    assert first.parent_id == first.city_id
    assert first.above_scale is True
    assert first.capacity_tyres == 1_000_000
    assert first.founded_year == 2001
    assert first.address == "测试路1号"
    assert sorted(first.product_lines.values_list("code", flat=True)) == [
        "all_steel_radial",
        "semi_steel_radial",
    ]
    assert enterprise_snapshot(first)["honours"] == ["smart_factory:provincial:2023"]

    second = Enterprise.objects.get(code=GOOD[1]["credit_code"])
    assert second.city.code == "370200"  # by its short Chinese name
    assert second.above_scale is False
    assert second.capacity_tyres is None
    assert second.founded_year is None
    assert list(second.product_lines.values_list("code", flat=True)) == ["all_steel_radial"]
    assert not second.honours.exists()

    third = Enterprise.objects.get(code=GOOD[2]["credit_code"])
    assert third.city.code == "370700"  # by its English name, any case
    assert sorted(third.product_lines.values_list("code", flat=True)) == ["agricultural", "otr"]
    assert enterprise_snapshot(third)["honours"] == [
        "green_factory:provincial:2022",
        "tech_centre:national:2020",
    ]

    entries = AuditEntry.objects.filter(object_type="enterprise")
    assert entries.filter(action=AuditAction.CREATE).count() == 3
    assert entries.filter(action=AuditAction.IMPORT).count() == 1


def test_import_updates_existing_enterprises(reference):
    old = enterprise(
        1, "370500", name="旧名称轮胎有限公司", honours=[("green_factory", "national", 2019)]
    )
    created, updated = run_import(*file_for("csv", table(GOOD)))
    assert (created, updated) == (2, 1)
    old.refresh_from_db()
    assert old.name_zh == "导入轮胎1有限公司"
    # the honours column replaces the enterprise's honours
    assert enterprise_snapshot(old)["honours"] == ["smart_factory:provincial:2023"]


def test_without_honours_column_honours_are_kept(reference):
    ent = enterprise(1, "370500", honours=[("green_factory", "national", 2019)])
    rows = [{k: v for k, v in GOOD[0].items() if k != "honours"}]
    assert run_import(*file_for("csv", table(rows))) == (0, 1)
    assert enterprise_snapshot(ent)["honours"] == ["green_factory:national:2019"]


# --- bad files: everything reported, nothing stored ----------------------------------------------


def wrong_check_character(code: str) -> str:
    return code[:17] + next(c for c in CHARSET if c != code[17])


def bad_file_rows(existing_code: str) -> list[dict[str, object]]:
    """Rows 2-5 (spreadsheet numbering): rows 3 and 5 are bad, rows 2 and 4 are good."""
    return [
        row(10),  # good, new
        row(
            11,
            "371200",  # 莱芜市: abolished in 2019
            credit_code=wrong_check_character(credit_code(11)),
            above_scale="maybe",
        ),
        row(12, credit_code=existing_code, name_zh="改过的名字有限公司"),  # good, a change
        row(13, honours="gold_medal:national:2020", capacity_tyres="lots"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_rows_are_all_reported_and_nothing_is_stored(reference, fmt):
    existing = enterprise(1, "370500", honours=[("smart_factory", "provincial", 2021)])
    before = enterprise_snapshot(existing)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(Rejected) as exc:
        run_import(*file_for(fmt, table(bad_file_rows(existing.code))))

    errors = errors_of(exc)
    assert set(errors) == {
        (3, "credit_code"),
        (3, "city"),
        (3, "above_scale"),
        (5, "honours"),
        (5, "capacity_tyres"),
    }
    assert "check character" in errors[3, "credit_code"]
    assert "unknown city" in errors[3, "city"]
    assert "371200" in errors[3, "city"]
    assert "maybe" in errors[3, "above_scale"]
    assert "unknown honour" in errors[5, "honours"]
    assert "gold_medal" in errors[5, "honours"]
    assert "lots" in errors[5, "capacity_tyres"]
    assert "whole number" in errors[5, "capacity_tyres"]
    assert all(e.source.startswith("enterprises.") for e in exc.value.errors)
    assert "row 3" in str(exc.value)

    # nothing stored: not the good row 2 before the bad ones, not the change on row 4
    assert list(Enterprise.objects.values_list("code", flat=True)) == [existing.code]
    existing.refresh_from_db()
    assert enterprise_snapshot(existing) == before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name_zh", "", "required"),
        ("product_lines", "wooden_wheels", "unknown product line"),
        ("honours", "smart_factory", "type:level:year"),
        ("honours", "tech_innovation_demo:provincial:2023", "level"),
        ("honours", "smart_factory:national:1850", "out of range"),
        ("founded_year", "3000", "out of range"),
        ("capacity_tyres", "-5", "out of range"),
        ("capacity_tyres", "1.5", "whole number"),
        ("capacity_tyres", "99999999999999999999", "out of range"),  # beyond a BIGINT
        ("credit_code", "12345", "18 characters"),
        ("name_zh", "长" * 201, "longer than 200"),
        ("address", "路" * 201, "longer than 200"),
    ],
)
def test_each_kind_of_bad_value_is_named(reference, field, value, words):
    with pytest.raises(Rejected) as exc:
        run_import(*file_for("csv", table([row(1), row(2, **{field: value})])))
    errors = errors_of(exc)
    assert list(errors) == [(3, field)]
    assert words in errors[3, field]
    assert not Enterprise.objects.exists()


def test_duplicate_credit_code_names_both_rows(reference):
    rows = [row(1), row(2), row(3, credit_code=credit_code(1))]
    with pytest.raises(Rejected) as exc:
        run_import(*file_for("csv", table(rows)))
    [error] = exc.value.errors
    assert (error.row, error.field) == (4, "credit_code")
    assert "row 2" in error.reason
    assert not Enterprise.objects.exists()


def test_duplicate_differing_only_in_case_is_found(reference):
    rows = [row(1), row(2, credit_code=f" {credit_code(1).lower()} ")]
    with pytest.raises(Rejected) as exc:
        run_import(*file_for("csv", table(rows)))
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "credit_code")]


def test_unknown_column_is_refused(reference):
    lines = table([row(1)])
    lines[0].append("电话")
    lines[1].append("0546-1234567")
    with pytest.raises(Rejected) as exc:
        exchange.read_rows("enterprises.csv", csv_bytes(lines))
    [error] = exc.value.errors
    assert (error.row, error.field) == (1, "电话")
    assert "unknown column" in error.reason


@pytest.mark.parametrize("missing", ["credit_code", "name_zh", "city"])
def test_missing_required_column_is_refused(reference, missing):
    rows = [{k: v for k, v in row(1).items() if k != missing}]
    with pytest.raises(Rejected) as exc:
        exchange.read_rows("enterprises.xlsx", xlsx_bytes(table(rows)))
    [error] = exc.value.errors
    assert (error.row, error.field) == (1, missing)
    assert "missing" in error.reason


@pytest.mark.parametrize("name", ["enterprises.txt", "enterprises.xls", "enterprises"])
def test_only_csv_and_xlsx_files_are_read(name):
    with pytest.raises(Rejected) as exc:
        exchange.read_rows(name, csv_bytes(table([row(1)])))
    assert ".csv" in exc.value.errors[0].reason
    assert exc.value.errors[0].field == "file"


def test_broken_xlsx_and_empty_file_are_refused():
    with pytest.raises(Rejected) as exc:
        exchange.read_rows("enterprises.xlsx", b"this is not a zip file")
    assert exc.value.errors[0].field == "file"
    with pytest.raises(Rejected) as exc:
        exchange.read_rows("enterprises.csv", b"")
    assert "empty" in exc.value.errors[0].reason


def test_text_in_neither_utf8_nor_gb18030_is_refused():
    with pytest.raises(Rejected) as exc:
        exchange.read_rows("enterprises.csv", b"credit_code,name_zh,city\n\x81\x20\xff\n")
    assert exc.value.errors[0].field == "file"


def test_gb18030_csv_is_read(reference):
    content = csv_bytes(table(GOOD, "labels"), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert run_import("enterprises.csv", content) == (3, 0)
    assert Enterprise.objects.get(code=GOOD[1]["credit_code"]).name_zh == "导入轮胎2有限公司"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blank_lines_are_skipped_and_row_numbers_stay_right(reference, fmt):
    rows = [row(1), None, row(2), None, None, row(3, city="nowhere")]
    with pytest.raises(Rejected) as exc:
        run_import(*file_for(fmt, table(rows)))
    assert [(e.row, e.field) for e in exc.value.errors] == [(7, "city")]

    rows[-1] = row(3)
    assert run_import(*file_for(fmt, table(rows))) == (3, 0)


def test_rows_of_empty_cells_are_blank_lines(reference):
    lines = table([row(1)])
    lines.append([""] * len(lines[0]))
    lines.append(list(table([row(2)])[1]))
    assert run_import("enterprises.csv", csv_bytes(lines)) == (2, 0)


# --- round trip ----------------------------------------------------------------------------------


@pytest.fixture
def registry(reference):
    a = enterprise(1, "370500", honours=[("smart_factory", "provincial", 2021)])
    b = enterprise(
        2,
        "370200",
        above_scale=False,
        lines=["all_steel_radial", "otr"],
        honours=[("tech_centre", "national", 2018), ("green_factory", "provincial", 2022)],
    )
    c = enterprise(3, "370700", lines=[])
    Enterprise.objects.filter(pk=c.pk).update(
        capacity_tyres=12_000_000, founded_year=1998, address="潍坊市某路1号"
    )
    return [a, b, c]


@pytest.mark.parametrize(
    ("fmt", "write"), [("csv", exchange.write_csv), ("xlsx", exchange.write_xlsx)]
)
def test_export_then_import_changes_nothing(registry, fmt, write):
    snapshots = {e.code: enterprise_snapshot(e) for e in Enterprise.objects.all()}
    content = write(Enterprise.objects.all())
    entries = AuditEntry.objects.count()

    assert run_import(f"export.{fmt}", content) == (0, 3)

    assert {e.code: enterprise_snapshot(e) for e in Enterprise.objects.all()} == snapshots
    new = AuditEntry.objects.order_by("id")[entries:]
    assert [e.action for e in new] == [AuditAction.IMPORT]
    assert not AuditEntry.objects.filter(
        object_type="enterprise", action=AuditAction.UPDATE
    ).exists()


def test_export_page_file_imports_back(client, registry):
    client.force_login(user("p", "province"))
    response = client.get("/enterprises/export.csv")
    assert response.status_code == 200
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    assert run_import("tirebrain-enterprises.csv", content) == (0, 3)
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


# --- the import page -----------------------------------------------------------------------------


@pytest.fixture
def officer_client(client, reference):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user("p", "province"))
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_import_page_shows_row_errors_and_stores_nothing(officer_client):
    rows = bad_file_rows(credit_code(99))
    response = officer_client.post(
        "/enterprises/import/", {"file": upload("bad.csv", csv_bytes(table(rows)))}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 problems" in html
    for field in ("credit_code", "city", "above_scale", "honours", "capacity_tyres"):
        assert f"<code>{field}</code>" in html
    assert '<td class="num">3</td>' in html
    assert '<td class="num">5</td>' in html
    assert "gold_medal" in html
    assert not Enterprise.objects.exists()


def test_import_page_refuses_other_file_types(officer_client):
    response = officer_client.post("/enterprises/import/", {"file": upload("x.txt", b"hello")})
    assert response.status_code == 200
    assert "<code>file</code>" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_import_page_stores_a_good_file_and_redirects(officer_client):
    response = officer_client.post(
        "/enterprises/import/", {"file": upload("good.xlsx", xlsx_bytes(table(GOOD, "labels")))}
    )
    assert response.status_code == 302
    assert response["Location"] == "/enterprises/"
    assert Enterprise.objects.count() == 3
    assert Honour.objects.count() == 3
    page = officer_client.get(response["Location"])
    assert "3 new" in page.content.decode()


def test_import_page_is_for_provincial_officers_only(client, reference):
    client.force_login(user("c", "city", "370500"))
    assert client.get("/enterprises/import/").status_code == 404
    response = client.post(
        "/enterprises/import/", {"file": upload("good.csv", csv_bytes(table(GOOD)))}
    )
    assert response.status_code == 404
    assert not Enterprise.objects.exists()


def test_a_column_given_twice_is_refused(reference):
    content = "credit_code,name_zh,city,所在市\n".encode()
    with pytest.raises(Rejected) as excinfo:
        exchange.read_rows("twice.csv", content)
    assert [(e.row, e.field) for e in excinfo.value.errors] == [(1, "city")]
