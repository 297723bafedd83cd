"""Locate: the building, unit and room the owner names, for routing to butlers and hot topics."""

from __future__ import annotations

from daemon.location import extract
from handlers.context import Item

name = "locate"


def run(item: Item) -> None:
    item.location = extract(f"{item.subject}\n{item.text}")
