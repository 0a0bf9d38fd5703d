"""Enterprise registry files: CSV and XLSX with the same columns, for export and import.

The export's columns are exactly what the import reads, so an exported file can be edited and
imported back. Headers may be the column codes or their Chinese labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tirebrain.core.errors import Rejected, RowError
from tirebrain.orgs.models import Enterprise

COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("name_zh", "企业名称"),
    ("name_en", "英文名称"),
    ("city", "所在市"),
    ("above_scale", "规上企业"),
    ("product_lines", "产品线"),
    ("capacity_tyres", "设计产能（条/年）"),
    ("founded_year", "成立年份"),
    ("address", "地址"),
    ("honours", "荣誉"),
]


def enterprise_rows(enterprises: QuerySet[Enterprise]) -> Iterable[list[Any]]:
    qs = (
        enterprises.select_related("city")
        .prefetch_related("product_lines", "honours__honour_type")
        .order_by("code")
    )
    for e in qs.iterator(chunk_size=500):
        yield [
            e.code,
            e.name_zh,
            e.name_en,
            e.city.code,
            "是" if e.above_scale else "否",
            ";".join(p.code for p in e.product_lines.all()),
            e.capacity_tyres if e.capacity_tyres is not None else "",
            e.founded_year or "",
            e.address,
            ";".join(f"{h.honour_type.code}:{h.level}:{h.year}" for h in e.honours.all()),
        ]


def header() -> list[str]:
    return [label for _code, label in COLUMNS]


def write_csv(enterprises: QuerySet[Enterprise]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    writer.writerows(enterprise_rows(enterprises))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(enterprises: QuerySet[Enterprise]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("enterprises")
    ws.append(header())
    for row in enterprise_rows(enterprises):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_rows(filename: str, content: bytes) -> list[dict[str, Any] | None]:
    """Rows of an uploaded enterprise file as dicts keyed by column code."""
    return read_table(filename, content, COLUMNS, required=("credit_code", "name_zh", "city"))


def read_table(
    filename: str,
    content: bytes,
    columns: list[tuple[str, str]],
    *,
    required: tuple[str, ...],
    prefixes: tuple[str, ...] = (),
) -> list[dict[str, Any] | None]:
    """Rows of an uploaded CSV or XLSX as dicts keyed by column code (None for a blank row).

    Headers may be a column's code or its Chinese label; a header starting with one of
    ``prefixes`` (e.g. ``output_2024``) is kept as written. Unknown, doubled or missing columns
    refuse the file.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(filename, content)
    elif name.endswith(".csv"):
        table = _csv_table(filename, content)
    else:
        raise Rejected(
            [RowError(0, "file", _("only .csv and .xlsx files can be imported"), filename)]
        )
    if not table:
        raise Rejected([RowError(1, "header", _("the file is empty"), filename)])
    aliases = {label: code for code, label in columns} | {code: code for code, _l in columns}
    head = [str(h or "").strip() for h in table[0]]
    codes = [aliases.get(h) or (h if h.startswith(prefixes) and prefixes else None) for h in head]
    unknown = [h for h, c in zip(head, codes, strict=True) if h and c is None]
    if unknown:
        raise Rejected([RowError(1, h, _("unknown column"), filename) for h in unknown])
    doubled = sorted({c for c in codes if c and codes.count(c) > 1})
    if doubled:  # e.g. both "city" and "所在市": which one would win is anybody's guess
        raise Rejected([RowError(1, c, _("the column appears twice"), filename) for c in doubled])
    missing = [c for c in required if c not in codes]
    if missing:
        raise Rejected([RowError(1, c, _("required column is missing"), filename) for c in missing])
    rows: list[dict[str, Any] | None] = []
    for values in table[1:]:
        if not any(v not in (None, "") for v in values):
            rows.append(None)  # keep row numbers right; blank rows are skipped by the importer
            continue
        rows.append({c: v for c, v in zip(codes, values, strict=False) if c})
    return rows


def _csv_table(filename: str, content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Rejected([RowError(0, "file", _("not UTF-8 or GB 18030 text"), filename)])
    return list(csv.reader(io.StringIO(text)))


def _xlsx_table(filename: str, content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a broken file
        raise Rejected([RowError(0, "file", _("not a readable XLSX workbook"), filename)]) from None
    ws = wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]
