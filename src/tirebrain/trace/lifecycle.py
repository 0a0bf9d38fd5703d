"""Lifecycle stages and recycling ratios, read from ``<REFERENCE_DIR>/trace/lifecycle.yaml``.

An event's stage is decided once, when it is captured (``stage_of``), and counted into
``StageCount`` per city and year; the recycling picture reads those counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from tirebrain.core.yamlfiles import load_yaml
from tirebrain.trace.cbv import BIZ_STEP, DISPOSITION


def bare_cbv(value: str, kind: str) -> str:
    """A standard CBV value in any of its spellings (``urn:epcglobal:cbv:bizstep:shipping``,
    ``https://ref.gs1.org/cbv/BizStep-shipping``, ``cbv:BizStep-shipping``) as its bare word
    (``shipping``), as it is stored and compared; any other value (a user vocabulary URI)
    unchanged. ``kind`` is ``bizStep`` or ``disposition``."""
    vocabulary = BIZ_STEP if kind == "bizStep" else DISPOSITION
    return vocabulary.bare(value) or value


@dataclass(frozen=True)
class Stage:
    code: str
    name_zh: str
    name_en: str
    event_type: str | None
    biz_step: str
    location_role: str | None

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


@dataclass(frozen=True)
class Ratio:
    code: str
    name_zh: str
    name_en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


@dataclass(frozen=True)
class Lifecycle:
    stages: tuple[Stage, ...]
    ratios: tuple[Ratio, ...]

    def stage_of(self, event_type: str, biz_step: str, location_role: str | None) -> str | None:
        """The first stage whose rule the event meets (``biz_step`` already bare)."""
        for s in self.by_step.get(biz_step, ()):
            if (s.event_type is None or s.event_type == event_type) and (
                s.location_role is None or s.location_role == location_role
            ):
                return s.code
        return None

    @cached_property
    def by_step(self) -> dict[str, tuple[Stage, ...]]:
        """The stages by business step, in rule order (stage_of runs for every captured event)."""
        steps: dict[str, tuple[Stage, ...]] = {}
        for s in self.stages:
            steps[s.biz_step] = (*steps.get(s.biz_step, ()), s)
        return steps


def lifecycle_file() -> Path:
    return Path(settings.REFERENCE_DIR) / "trace" / "lifecycle.yaml"


@cache
def _load(path: Path) -> Lifecycle:
    data = load_yaml(path)
    stages = tuple(
        Stage(
            code=s["code"],
            name_zh=s["name_zh"],
            name_en=s["name_en"],
            event_type=s.get("event_type"),
            biz_step=bare_cbv(s["biz_step"], "bizStep"),
            location_role=s.get("location_role"),
        )
        for s in data["stages"]
    )
    known = {s.code for s in stages}
    ratios = []
    for r in data.get("ratios", []):
        unknown = (set(r["numerator"]) | set(r["denominator"])) - known
        if unknown:
            raise ValueError(f"{path}: ratio {r['code']} names unknown stages {sorted(unknown)}")
        ratios.append(
            Ratio(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                numerator=tuple(r["numerator"]),
                denominator=tuple(r["denominator"]),
            )
        )
    return Lifecycle(stages=stages, ratios=tuple(ratios))


def lifecycle() -> Lifecycle:
    return _load(lifecycle_file())
