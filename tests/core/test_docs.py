"""The docs stay true: every command and every setting the code has is documented."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]


def test_every_tirebrain_command_is_documented():
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    ours = [name for name, app in get_commands().items() if app.startswith("tirebrain.")]
    assert ours, "no TireBrain commands found"
    for name in ours:
        assert f"tirebrain {name.replace('_', '-')}" in operations, f"{name} is not in docs"


def test_every_setting_is_documented():
    settings_py = (ROOT / "src" / "tirebrain" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"TIREBRAIN_[A-Z_]+", settings_py))
    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert names
    for name in sorted(names):
        assert f"`{name}`" in documented, f"{name} is not in docs/operations.md"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, re.S)
    assert first_blocks[0].strip() == "uv run tirebrain demo"
    assert first_blocks[1].strip() == "uv run pytest"
