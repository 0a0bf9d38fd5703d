"""GS1 EPC codec for tyre RFID tags: SGTIN-96 and SGTIN-198, per the EPC Tag Data Standard 2.x.

Tyres carry an SGTIN (GTIN + serial number) on their RFID tag; EPCIS events name them as EPC URIs
or GS1 Digital Links. This package reads every form into one :class:`Sgtin` and writes it in every
other, refusing bad input with :class:`EpcError` (a ``ValueError`` with a stable ``code``):

* :mod:`.sgtin` — the value, the partition table, the binary encodings (hex), building from a
  GTIN and serial (:func:`from_gtin`, :func:`encode`, :func:`sgtin_uri`);
* :mod:`.parsing` — reading any form (:func:`decode`);
* :mod:`.charset` — GS1 character set 82 and how EPC URIs and Digital Links escape it;
* :mod:`.keys` — the event store's match key (:func:`match_key`) and EPCIS patterns as key
  prefixes (:func:`pattern_prefixes`, :func:`gtin_key_prefix`);
* :mod:`.errors` — :class:`EpcError` and its codes.

``tirebrain epc decode|encode`` is the operator's view of the same functions.
"""

from tirebrain.trace.epc.errors import CODES, EpcError
from tirebrain.trace.epc.keys import gtin_key_prefix, match_key, pattern_prefixes
from tirebrain.trace.epc.parsing import decode
from tirebrain.trace.epc.sgtin import (
    DIGITAL_LINK_STEM,
    FILTERS,
    PARTITIONS,
    SCHEMES,
    SGTIN_96,
    SGTIN_198,
    Sgtin,
    decode_hex,
    encode,
    from_gtin,
    sgtin_uri,
)

__all__ = [
    "CODES",
    "DIGITAL_LINK_STEM",
    "FILTERS",
    "PARTITIONS",
    "SCHEMES",
    "SGTIN_96",
    "SGTIN_198",
    "EpcError",
    "Sgtin",
    "decode",
    "decode_hex",
    "encode",
    "from_gtin",
    "gtin_key_prefix",
    "match_key",
    "pattern_prefixes",
    "sgtin_uri",
]
