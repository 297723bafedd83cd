"""Where in the estate a complaint is about: building, unit (entrance) and room, as written.

"3栋2单元1502", "3号楼1单元802室", "Torre 2, 5ºB", "Portal 3, 2º izq.", "Block 3, Unit 1502".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[0-9０-９]+|[A-Za-z]|[一二三四五六七八九十]+"
_ZH_BUILDING = re.compile(rf"({_NUM})\s*(?:号楼|栋|幢|座|号院)")
_ZH_UNIT = re.compile(rf"({_NUM})\s*单元")
_ZH_ROOM = re.compile(
    r"(?:单元|栋|幢|号楼|座)\s*[-—]?\s*([0-9０-９]{3,5})\s*(?:室|号|房)?|([0-9０-９]{3,5})\s*(?:室|号房)"
)
_ES_BUILDING = re.compile(
    r"\b(?:torre|bloque|edificio|casa|fase)\s+(?:n[ºo°.]\s*)?([0-9]+[a-z]?|[a-z])\b", re.I
)
_ES_UNIT = re.compile(r"\b(?:portal|escalera|esc\.)\s+(?:n[ºo°.]\s*)?([0-9]+[a-z]?|[a-z])\b", re.I)
_ES_ROOM = re.compile(
    r"\b(bajo\s+[a-z](?![a-z])|[0-9]{1,2}\s*[ºª°o]\s*-?\s*(?:[a-z](?![a-z])|izq(?:uierda|\.)?|dcha\.?|derecha|centro|ctro\.?))",
    re.I,
)
_EN_BUILDING = re.compile(
    r"\b(?:block|building|bldg\.?|tower|house)\s+(?:no\.?\s*)?([0-9]+[a-z]?|[a-z])\b", re.I
)
_EN_UNIT = re.compile(r"\b(?:entrance|staircase|stairwell)\s+([0-9]+[a-z]?|[a-z])\b", re.I)
_EN_ROOM = re.compile(
    r"\b(?:unit|apt\.?|apartment|flat|suite|room|no\.)\s*#?\s*([0-9]+[a-z]?|[0-9]*-[0-9]+)\b", re.I
)

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_IGNORECASE_ONLY = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})
"""Letters re.IGNORECASE takes for ASCII ones, and str.lower() does not turn into them."""


@dataclass(frozen=True)
class _Pattern:
    """A place pattern, and what a text needs for it to match: searching is the slow part.

    ``needs`` are strings, one of which is in the folded text (see ``_fold``) wherever the
    pattern matches; ``hint`` is a quick pattern that also finds such a text.
    """

    regex: re.Pattern[str]
    needs: tuple[str, ...]
    hint: re.Pattern[str] | None = None

    def first(self, text: str, folded: str) -> str | None:
        """The first place this pattern finds, as written (digits made ASCII)."""
        if not any(need in folded for need in self.needs) and not (
            self.hint and self.hint.search(folded)
        ):
            return None
        match = self.regex.search(text)
        if match is None:
            return None
        value = next(group for group in match.groups() if group)
        return " ".join(value.translate(_FULLWIDTH).split())

    def mask(self, text: str, folded: str, mask: str) -> str:
        """Every place this pattern finds, replaced by ``mask``."""
        if not any(need in folded for need in self.needs) and not (
            self.hint and self.hint.search(folded)
        ):
            return text
        return self.regex.sub(mask, text)


_BUILDING = (
    _Pattern(_ZH_BUILDING, ("号楼", "栋", "幢", "座", "号院")),
    _Pattern(_ES_BUILDING, ("torre", "bloque", "edificio", "casa", "fase")),
    _Pattern(_EN_BUILDING, ("block", "building", "bldg", "tower", "house")),
)
_UNIT = (
    _Pattern(_ZH_UNIT, ("单元",)),
    _Pattern(_ES_UNIT, ("portal", "escalera", "esc.")),
    _Pattern(_EN_UNIT, ("entrance", "staircase", "stairwell")),
)
_ROOM = (
    _Pattern(_ZH_ROOM, ("单元", "栋", "幢", "号楼", "座", "室", "号房")),
    _Pattern(_ES_ROOM, ("bajo",), hint=re.compile(r"[0-9]\s*[ºª°o]")),
    _Pattern(_EN_ROOM, ("unit", "apt", "apartment", "flat", "suite", "room", "no.")),
)


def _fold(text: str) -> str:
    """Lower case, such that an ASCII word is in it wherever re.IGNORECASE finds the word."""
    if not text.isascii() and any(ch in text for ch in "İıſ"):
        text = text.translate(_IGNORECASE_ONLY)
    return text.lower()


def _first(patterns: tuple[_Pattern, ...], text: str, folded: str) -> str | None:
    """What the first pattern that finds anything finds: Chinese, then Spanish, then English."""
    for pattern in patterns:
        value = pattern.first(text, folded)
        if value:
            return value
    return None


def extract(text: str) -> dict[str, str] | None:
    """The first building/unit/room mentioned, or None when the text names no place."""
    folded = _fold(text)
    found = {
        "building": _first(_BUILDING, text, folded),
        "unit": _first(_UNIT, text, folded),
        "room": _first(_ROOM, text, folded),
    }
    return {key: value for key, value in found.items() if value} or None


def mask(text: str, mask: str) -> str:
    """The text with every building, unit and room it names replaced by ``mask``: "Block 5" or
    "Escalera 2" is a place, not a topic."""
    for pattern in (*_ROOM, *_UNIT, *_BUILDING):
        text = pattern.mask(text, _fold(text), mask)
    return text


def in_message(subject: str, text: str) -> dict[str, str] | None:
    """The first building/unit/room a message names, in its subject or its text."""
    return extract(f"{subject}\n{text}")
