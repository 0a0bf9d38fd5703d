"""Refusals that say where and why: every import and bulk write reports all bad rows at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """One problem in one row: ``row`` counts from 1 as a spreadsheet shows it (the header is 1)."""

    row: int
    field: str
    reason: str
    source: str = ""

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        values = {"where": where, "row": self.row, "field": self.field, "reason": self.reason}
        if not self.row:  # a problem of the whole file or of a named entry, not of one row
            return _("%(where)s“%(field)s”: %(reason)s") % values
        return _("%(where)srow %(row)s, field “%(field)s”: %(reason)s") % values


class Rejected(Exception):
    """Raised when input is refused; nothing has been stored."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
