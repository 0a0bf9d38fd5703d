"""Indicators as data, their evaluation in the database, status and projection, the cockpit."""
