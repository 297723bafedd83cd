"""Locate: the estate, building, unit and room the owner names, for routing to butlers and hot
topics; the estates register (``[[estates]]``) knows the company's own names."""

from __future__ import annotations

from daemon.classify.names import register
from handlers.context import Item

name = "locate"


def run(item: Item) -> None:
    found = item.findings
    if found is not None:  # found by the read-ahead helper, in the same subject and text
        item.location = found.location
        return
    item.location = register(item.settings.estates).locate(item.subject, item.written)
