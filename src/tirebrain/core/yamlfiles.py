"""Reading the YAML data files (plan, reference data, grading schemes, lifecycle rules).

With libyaml's C loader when PyYAML has it — ten times faster than the pure-Python one on the
plan file, which is read on every plan load (and in most tests) — and the same safe subset of
YAML either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: Path | str) -> Any:
    """The data in a YAML file (a Path) or text (a str)."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_Loader)
