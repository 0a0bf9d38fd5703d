"""Reading spreadsheet cells the way officers fill them in (是/否, yes/no, 1/0, √)."""

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是", "√"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "否", ""})
