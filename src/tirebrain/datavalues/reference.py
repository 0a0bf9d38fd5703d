"""Loading the reporting vocabulary (units, data elements) from ``data/metadata.yaml``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tirebrain.core import audit
from tirebrain.core.models import AuditAction
from tirebrain.datavalues.models import DataElement, Unit


@transaction.atomic
def load_elements(actor, data: dict[str, Any]) -> int:
    for u in data.get("units", []):
        Unit.objects.update_or_create(
            code=u["code"],
            defaults={"symbol_zh": u.get("symbol_zh", ""), "symbol_en": u.get("symbol_en", "")},
        )
    for e in data["data_elements"]:
        DataElement.objects.update_or_create(
            code=e["code"],
            defaults={
                "name_zh": e["name_zh"],
                "name_en": e["name_en"],
                "description_en": e.get("description_en", ""),
                "unit": e["unit"],
                "value_type": e.get("value_type", "number"),
                "aggregation": e.get("aggregation", "sum"),
                "min_value": e.get("min"),
            },
        )
    from tirebrain.indicators.formatting import clear_unit_symbols

    clear_unit_symbols()
    audit.record(
        actor,
        AuditAction.LOAD,
        "vocabulary",
        "data_elements",
        after={"data_elements": len(data["data_elements"]), "units": len(data.get("units", []))},
    )
    return len(data["data_elements"])
