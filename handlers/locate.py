"""Locate: the building, unit and room the owner names, for routing to butlers and hot topics."""

from __future__ import annotations

from daemon.classify.location import in_message
from handlers.context import Item

name = "locate"


def run(item: Item) -> None:
    found = item.findings
    if found is not None:  # found by the read-ahead helper, in the same subject and text
        item.location = found.location
        return
    item.location = in_message(item.subject, item.text)
