"""One fix to the standard library's email parser, applied when ``daemon.mail.reading`` is loaded.

At the end of every MIME part, ``email.feedparser`` strips the part's last line end with
``NLCRE_eol.search(payload)``, a pattern anchored at the end (``\\Z``) that the regex engine
still tries at every position of the payload: ~0.3 ms for a 300 KB attachment, a fifth of the
whole reading of our mail. A match can only start in the last two characters, so searching
from there finds the very same match.
"""

from __future__ import annotations

import re
from email import feedparser


class _FromTheEnd:
    """``NLCRE_eol`` with ``search`` started where a match can begin."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text, max(len(text) - 2, 0))


def apply() -> None:
    if isinstance(feedparser.NLCRE_eol, re.Pattern) and feedparser.NLCRE_eol.pattern == (
        r"(\r\n|\r|\n)\Z"
    ):
        feedparser.NLCRE_eol = _FromTheEnd(feedparser.NLCRE_eol)
