"""A plugin whose import fails."""

raise RuntimeError("boom while importing")
