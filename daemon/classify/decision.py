"""The keyword rules' decision on an item: kind, category and severity, with the reasons.

Rules alone need neither the database nor the configuration's models, so the read-ahead helper
decides with them while the service records the batch before; ``daemon.classify.classifier`` adds a
trained model where one is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daemon.classify import rules

KIND_ORDER = ("complaint", "repair_request", "inquiry", "suggestion", "praise")
"""Ties go to the earlier kind: when in doubt, treat a message as a complaint."""

GROUPS_SHOWN = ("category", "kind", "severity")
DISTINCT_GROUPS = ("kind", "severity")
"""Groups where a term counts once: what is said matters there, not how often."""
MAJOR_SCORE = 5.0
IMPORTANT_SCORE = 3.0
MAX_REASONS = 60


@dataclass
class Decision:
    """What an item is; ``reasons`` (the rules that fired) go into its history."""

    kind: str
    category: str
    severity: str
    reasons: list[str] = field(default_factory=list)
    source: str = "rules"
    trades: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "severity": self.severity,
            "source": self.source,
            "trades": self.trades,
            "reasons": self.reasons,
        }


def _best(scores: dict[str, float], order: tuple[str, ...] = ()) -> str | None:
    """The label with the highest positive score; ties go to the one earlier in ``order``, then
    to the one scored first."""
    best = None
    for label, score in scores.items():
        if score > 0 and (
            best is None or _key(label, score, order) > _key(best, scores[best], order)
        ):
            best = label
    return best


def _key(label: str, score: float, order: tuple[str, ...]) -> tuple[float, int]:
    return score, (-order.index(label) if label in order else -len(order))


def _reasons(hits: dict[str, list[rules.Hit]], subject_hits: list[rules.Hit]) -> list[str]:
    """The rules that fired, once each with a count ("category.repair:漏水^2 x2"), for the history.

    Category terms found in the subject count twice (the subject names the topic); they are
    listed again with a "subject " prefix.
    """
    counted: dict[str, int] = {}
    for group in GROUPS_SHOWN:
        for hit in hits[group]:
            reason = str(hit)
            counted[reason] = counted.get(reason, 0) + 1
    for hit in subject_hits:
        counted.setdefault(f"subject {hit}", 1)
    reasons = [reason if n == 1 else f"{reason} x{n}" for reason, n in counted.items()]
    return reasons[:MAX_REASONS]


class RuleClassifier:
    """The bundled (or admin's) rules file, extended by the configured extra rules."""

    def __init__(self, rules_file: Path | None = None, extra_rules: dict | None = None) -> None:
        self.rule_sets = rules.load(rules_file, extra_rules)
        self.matcher = rules.Matcher([self.rule_sets[group] for group in rules.GROUPS])

    def classify(self, subject: str, body: str) -> Decision:
        head = rules.normalize(subject)  # normalizing line by line is the same as all at once
        text = f"{head}\n{rules.normalize(body)}"
        per_group, in_subject = self.matcher.split_hits(text, len(head) if subject else None)
        hits = dict(zip(rules.GROUPS, per_group, strict=True))
        subject_hits = in_subject[rules.GROUPS.index("category")]
        scores = {
            group: rules.scores(found, distinct=group in DISTINCT_GROUPS)
            for group, found in hits.items()
        }
        for label, weight in rules.scores(subject_hits, distinct=True).items():
            scores["category"][label] = scores["category"].get(label, 0.0) + weight
        severity_scores = scores["severity"]
        if severity_scores.get("major", 0) >= MAJOR_SCORE:
            severity = "major"
        elif severity_scores.get("important", 0) >= IMPORTANT_SCORE:
            severity = "important"
        else:
            severity = "general"
        return Decision(
            kind=_best(scores["kind"], KIND_ORDER) or "complaint",
            category=_best(scores["category"]) or "other",
            severity=severity,
            reasons=_reasons(hits, subject_hits),
            trades=max(1, len(scores["trade"])),
        )
