"""Tyre lifecycle traceability: a GS1 EPCIS 2.0 repository, the SGTIN codec, life histories."""
