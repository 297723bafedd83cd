"""Classify: kind, category and severity, with the rules that decided them kept in the history."""

from __future__ import annotations

from daemon.config import CATEGORIES, KINDS
from daemon.mail import CATEGORY_HEADER, KIND_HEADER
from handlers.context import Item

name = "classify"


def run(item: Item) -> None:
    item.decision = item.classifier.classify(item.subject, item.text)
    if item.channel == "web":
        _owner_choice(item)


def _owner_choice(item: Item) -> None:
    """On the form the owner may pick the kind and category; the classifier decides otherwise."""
    for field, header, known in (
        ("kind", KIND_HEADER, KINDS),
        ("category", CATEGORY_HEADER, CATEGORIES),
    ):
        chosen = str(item.message.get(header, "")).strip()
        if chosen in known and chosen != getattr(item.decision, field):
            item.decision.reasons.append(f"owner chose {field} {chosen}")
            setattr(item.decision, field, chosen)
