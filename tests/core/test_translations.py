"""Every UI string has a Chinese translation, and the compiled catalogue matches the source."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "tirebrain" / "locale" / "zh_Hans"


def po_entries() -> list[dict]:
    """A minimal .po reader: msgctxt-free entries with msgid, msgid_plural, msgstr[n], flags."""
    entries: list[dict] = []
    current: dict = {}
    key = None
    for line in (LOCALE / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, None
        elif line.startswith("#,"):
            current.setdefault("flags", line[2:])
        elif line.startswith("#~") or line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _sp, text = line.partition(" ")
            current[key] = ast.literal_eval(text)
    if current:
        entries.append(current)
    return entries


def test_no_string_is_untranslated_or_fuzzy():
    entries = [e for e in po_entries() if e.get("msgid")]
    assert len(entries) > 300
    for e in entries:
        assert "fuzzy" not in e.get("flags", ""), e["msgid"]
        translated = e.get("msgstr") or e.get("msgstr[0]")
        assert translated, f"untranslated: {e['msgid']!r}"


def test_compiled_catalogue_is_up_to_date():
    with (LOCALE / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for e in po_entries():
        if not e.get("msgid"):
            continue
        if "msgid_plural" in e:
            assert catalogue.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"]
        else:
            assert catalogue.gettext(e["msgid"]) == e["msgstr"], e["msgid"]
