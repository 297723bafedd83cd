"""Where in the estate a complaint is about: building, unit (entrance) and room, as written.

"3栋2单元1502", "3号楼1单元802室", "Torre 2, 5ºB", "Portal 3, 2º izq.", "Block 3, Unit 1502".
"""

from __future__ import annotations

import re

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
    r"\b(bajo\s+[a-z]|[0-9]{1,2}\s*[ºª°o]\s*-?\s*(?:[a-z](?![a-z])|izq(?:uierda|\.)?|dcha\.?|derecha|centro|ctro\.?))",
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


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    value = next(group for group in match.groups() if group)
    return " ".join(value.translate(_FULLWIDTH).split())


def extract(text: str) -> dict[str, str] | None:
    """The first building/unit/room mentioned, or None when the text names no place."""
    found = {
        "building": _first(_ZH_BUILDING, text)
        or _first(_ES_BUILDING, text)
        or _first(_EN_BUILDING, text),
        "unit": _first(_ZH_UNIT, text) or _first(_ES_UNIT, text) or _first(_EN_UNIT, text),
        "room": _first(_ZH_ROOM, text) or _first(_ES_ROOM, text) or _first(_EN_ROOM, text),
    }
    return {key: value for key, value in found.items() if value} or None
