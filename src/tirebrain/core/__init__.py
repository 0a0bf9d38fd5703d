"""Cross-cutting pieces: the audit log, bilingual names, security headers, base templates."""
