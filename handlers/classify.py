"""Classify: kind, category and severity, with the rules that decided them kept in the history."""

from __future__ import annotations

from handlers.context import Item

name = "classify"


def run(item: Item) -> None:
    item.decision = item.classifier.classify(item.subject, item.text)
