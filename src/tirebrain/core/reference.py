"""Loading the reviewed reference files under ``data/``: divisions, then the vocabulary."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from tirebrain.datavalues.reference import load_elements
from tirebrain.orgs.services import load_divisions, load_vocabularies
from tirebrain.products.services import load_categories


@transaction.atomic
def load_reference(actor, directory: Path | None = None) -> dict[str, int]:
    """Idempotent: loads ``divisions.yaml`` and ``metadata.yaml`` from the directory."""
    directory = directory or settings.REFERENCE_DIR
    cities = load_divisions(actor, directory / "divisions.yaml")
    metadata = yaml.safe_load((directory / "metadata.yaml").read_text(encoding="utf-8"))
    load_vocabularies(actor, metadata)
    load_categories(metadata)
    elements = load_elements(actor, metadata)
    return {"cities": cities, "data_elements": elements}
