"""Users, roles with a scope (a city, an enterprise, a department), API tokens and access rules."""
