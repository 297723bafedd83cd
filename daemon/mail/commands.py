"""Commands in department replies: ``#accept``, ``#resolved …``, ``#reassign …``, ``#extend …``,
``#cost …``, ``#note …``, ``#ask …``, and the approvers' ``#approve`` / ``#reject``, with zh/es
aliases.

Only lines at the very top of the reply count (after the quote has been cut off), so a
command quoted from an earlier mail is never acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ALIASES = {
    "accept": ("accept", "接受", "受理", "aceptar", "acepto"),
    "resolved": ("resolved", "resolve", "已解决", "解决", "已处理", "resuelto", "resuelta"),
    "reassign": ("reassign", "转派", "改派", "reasignar"),
    "extend": ("extend", "延期", "prorrogar", "ampliar"),
    "cost": ("cost", "费用", "coste", "costo"),
    "note": ("note", "备注", "nota"),
    "ask": ("ask", "询问", "提问", "preguntar", "pregunta"),
    "reclassify": ("reclassify", "重新分类", "改类", "reclasificar"),
    "approve": ("approve", "批准", "同意", "aprobar", "apruebo"),
    "reject": ("reject", "驳回", "拒绝", "rechazar", "rechazo"),
}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_LINE = re.compile(r"^[#＃]\s*(\S+?)(?:[\s:：]+(.*))?$")
_DAYS = re.compile(
    r"^(\d{1,3})\s*(?:working\s+)?(?:days?|d|天|个?工作日|d[ií]as?(?:\s+h[aá]biles)?)\b\s*(.*)$",
    re.I,
)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(.*)$")
_AMOUNT = re.compile(r"^[¥￥€$]?\s*(\d[\d,\.]*)\s*(?:元|块|euros?|€|rmb|cny|eur)?\s*(.*)$", re.I)


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


def parse(text: str) -> tuple[list[Command], str]:
    """The commands on the leading lines, and the rest of the text (an answer, if any)."""
    lines = text.strip().splitlines()
    commands = []
    while lines:
        line = lines[0].strip()
        if not line:
            lines.pop(0)
            continue
        match = _LINE.match(line)
        if match is None or match.group(1).lower() not in _BY_ALIAS:
            break
        commands.append(Command(_BY_ALIAS[match.group(1).lower()], (match.group(2) or "").strip()))
        lines.pop(0)
    return commands, "\n".join(lines).strip()


def extension(argument: str) -> tuple[int | None, date | None, str]:
    """``#extend 5 days reason`` or ``#extend 2026-12-20 reason``: (days, date, reason)."""
    if match := _DAYS.match(argument):
        return int(match.group(1)), None, match.group(2).strip()
    if match := _DATE.match(argument):
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        return None, date(year, month, day), match.group(4).strip()
    return None, None, argument


def amount(argument: str) -> tuple[float | None, str]:
    """``#cost 1,250.50 replace the pump``: (1250.5, "replace the pump")."""
    match = _AMOUNT.match(argument.strip())
    if match is None:
        return None, argument
    try:
        return float(match.group(1).replace(",", "")), match.group(2).strip()
    except ValueError:
        return None, argument


def fields(argument: str) -> dict[str, str]:
    """``#reclassify category=repair severity=major`` (also ``:``/``：``) as a dict."""
    found = {}
    for part in argument.replace("：", "=").replace(":", "=").split():
        name, _, value = part.partition("=")
        if value:
            found[name.strip().lower()] = value.strip().lower()
    return found
