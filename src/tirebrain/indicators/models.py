"""Indicators keep no tables of their own: formulas live in the plan, values in datavalues."""
