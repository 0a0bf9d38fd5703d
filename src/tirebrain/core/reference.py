"""Loading the reviewed reference files under ``data/``: divisions, then the vocabulary."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from tirebrain.core.yamlfiles import load_yaml
from tirebrain.datavalues.reference import load_elements
from tirebrain.orgs.services import load_divisions, load_vocabularies
from tirebrain.products.services import load_categories


@transaction.atomic
def load_reference(actor, directory: Path | None = None) -> dict[str, int]:
    """Idempotent: loads ``divisions.yaml`` and ``metadata.yaml`` from the directory."""
    directory = directory or settings.REFERENCE_DIR
    cities = load_divisions(actor, directory / "divisions.yaml")
    metadata = load_yaml(directory / "metadata.yaml")
    load_vocabularies(actor, metadata)
    load_categories(metadata)
    elements = load_elements(actor, metadata)
    return {"cities": cities, "data_elements": elements}
