"""Organisations: the province, its 16 cities (GB/T 2260), departments, clusters and enterprises."""
