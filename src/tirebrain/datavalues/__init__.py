"""Reported values, the DHIS2 way: data elements × periods × organisations → one value each."""
