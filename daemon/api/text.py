"""Text as Xero should get it."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (NUL, BEL, CR, LF, TAB, ESC...) and Unicode line and paragraph separators,
# with the blanks around them.
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")


def one_line(value: Any) -> str:
    """A name as Xero should get it: control characters and line breaks become one space, trimmed."""
    return _BREAKS.sub(" ", str(value or "")).strip()
