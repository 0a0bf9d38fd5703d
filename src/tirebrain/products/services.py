"""State changes of the product registry. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tirebrain.products.models import ProductCategory


@transaction.atomic
def load_categories(data: dict[str, Any]) -> int:
    """Upsert the special product categories from the metadata file."""
    for c in data.get("product_categories", []):
        ProductCategory.objects.update_or_create(
            code=c["code"], defaults={"name_zh": c["name_zh"], "name_en": c["name_en"]}
        )
    return len(data.get("product_categories", []))
