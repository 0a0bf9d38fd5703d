"""What is wrong with a captured EPCIS document, said so that the sender can find and fix it.

Every problem found by ``trace.validation`` (and by the store when it prepares the rows) is one
:class:`EventError`; capture records them on the capture job (``as_dict()``) and answers the
REST binding's ``400``/capture-job error list with them.

``field`` is a JSON pointer (RFC 6901: ``/`` between names, ``~1`` for a ``/`` and ``~0`` for a
``~`` inside a name):

* for a problem in an event (``event_index`` set, or ``None`` with ``POST /events``), it is
  relative to that event: ``/bizStep``, ``/sensorElementList/0/sensorReport/1/type``. The same
  event gives the same pointer whether it came alone or in a document; ``event_index`` says which
  event of ``epcisBody.eventList`` it is.
* for a problem of the document itself (``event_index is None`` in a document), it is absolute
  from the document's root: ``/schemaVersion``, ``/epcisBody/eventList``.

``code`` is a stable machine code: ``schema.<JSON Schema keyword>`` (``schema.required``,
``schema.format``, …) for what the GS1 JSON Schema refuses, ``cbv.<vocabulary>`` for a value
that is neither a CBV standard value nor a URI of the sender's own, ``epcis.<rule>`` for the
EPCIS 2.0 rules the schema cannot express, ``xsd.<libxml2 error type>`` for what the EPCIS 2.0
XSD refuses in an XML document (its ``field`` follows the JSON names and list positions of the
converted event), ``document.<field>``, ``too-many-events``.
``message`` is translated when the error is made (English source text).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import ngettext


@dataclass(frozen=True)
class EventError:
    event_index: int | None
    event_id: str | None
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "event_index": self.event_index,
            "event_id": self.event_id,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


class CaptureRefused(Exception):
    """Raised where a capture is refused as a whole; ``errors`` says why, event by event."""

    def __init__(self, errors: Iterable[EventError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        first = self.errors[0].message if self.errors else ""
        super().__init__(
            ngettext(
                "The capture was refused (%(count)d error): %(first)s",
                "The capture was refused (%(count)d errors); the first: %(first)s",
                count,
            )
            % {"count": count, "first": first}
        )
