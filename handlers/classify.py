"""Classify: kind, category and severity, with the rules that decided them kept in the history."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from daemon.config import CATEGORIES, KINDS
from daemon.mail.compose import CATEGORY_HEADER, KIND_HEADER
from handlers.context import Item

if TYPE_CHECKING:
    from daemon.classify.decision import Decision

name = "classify"


def run(item: Item) -> None:
    item.decision = _decided_ahead(item) or item.classifier.classify(item.subject, item.text)
    if item.channel == "web":
        _owner_choice(item)


def _decided_ahead(item: Item) -> Decision | None:
    """The read-ahead helper's decision, where the rules alone decide (no trained model).

    A copy: the owner's choice changes the item's decision, and a batch that is run again
    carefully reuses its readings.
    """
    found = item.findings
    if found is None or found.decision is None or item.classifier.model is not None:
        return None
    return replace(found.decision, reasons=list(found.decision.reasons))


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
