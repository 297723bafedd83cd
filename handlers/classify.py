"""Classify: kind, category and severity, with the rules that decided them kept in the history."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from daemon.classify.names import register
from daemon.classify.written import for_rules
from daemon.config import CATEGORIES, KINDS
from daemon.mail.compose import CATEGORY_HEADER, KIND_HEADER
from handlers.context import Item

if TYPE_CHECKING:
    from daemon.classify.decision import Decision

name = "classify"


def run(item: Item) -> None:
    """What the person wrote, with names masked, decides; the model (if any) joins the rules."""
    masked = for_rules(
        register(item.settings.estates), item.subject, item.written, item.sender_name
    )
    by_rules = _decided_ahead(item)
    if by_rules is None:
        item.decision = item.classifier.classify(*masked)
    else:
        item.decision = item.classifier.with_model(by_rules, *masked)
    if item.channel == "web":
        _owner_choice(item)


def _decided_ahead(item: Item) -> Decision | None:
    """The rules' decision the read-ahead helper made.

    A copy: the model and the owner's choice change the item's decision, and a batch that is
    run again carefully reuses its readings.
    """
    found = item.findings
    if found is None or found.decision is None:
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
