"""Tyre products: sizes, label grading, high-end classification, the product registry."""
