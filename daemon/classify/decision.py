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

GROUPS_SHOWN = ("category", "kind", "severity", "hazard")
DISTINCT_GROUPS = ("kind", "severity", "hazard")
"""Groups where a term counts once: what is said matters there, not how often."""
MAJOR_SCORE = 5.0
"""Danger evidence (the ``severity.major`` terms and the hazard families) from this on is major."""
POSSIBLE_MAJOR_SCORE = 3.0
"""Danger evidence from this up to ``MAJOR_SCORE`` is real but weak: a person decides."""
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
    possible_major: bool = False
    """Real but weak evidence of danger: a person decides (the GM is paged only for major)."""
    scores: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    """The rules' totals per category and kind, and the danger score: what the model is
    weighed against."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "severity": self.severity,
            "source": self.source,
            "trades": self.trades,
            "possible_major": self.possible_major,
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


def negated_danger(hits: list[rules.Hit]) -> int:
    """How many danger terms were negated ("no gas smell", "nobody hurt")."""
    return sum(1 for hit in hits if hit.negated and hit.weight > 0)


def danger_score(hits: list[rules.Hit]) -> float:
    """How strong the evidence of danger is, from the ``severity.major`` and ``hazard.*`` hits.

    Each term counts once. A harmless use cancels the danger term inside it once per
    occurrence ("smoke alarm" cancels one "smoke"; a second "smoke" still counts); a harmless
    term with no danger term inside it lowers its own family's total. Signs of one hazard add
    up (dizzy, headache, the boiler room); the strongest family counts whole and the others
    half: weak words of unrelated hazards are not one danger.
    """
    counts: dict[tuple[str, str], int] = {}
    weights: dict[tuple[str, str], float] = {}
    harmless: list[rules.Hit] = []
    for hit in hits:
        if hit.negated:
            continue
        if hit.weight < 0:
            harmless.append(hit)
            continue
        key = (hit.label, hit.term)
        counts[key] = counts.get(key, 0) + 1
        weights[key] = hit.weight
    totals: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for hit in harmless:
        inside = [key for key in counts if _bare(key[1]) and _bare(key[1]) in _bare(hit.term)]
        for key in inside:
            counts[key] -= 1
        if not inside and (hit.label, hit.term) not in seen:  # lowers its own family only
            totals[hit.label] = totals.get(hit.label, 0.0) + hit.weight
        seen.add((hit.label, hit.term))
    for key, count in counts.items():
        if count > 0:
            totals[key[0]] = totals.get(key[0], 0.0) + weights[key]
    families = sorted(
        (score for label, score in totals.items() if label.startswith("hazard.") and score > 0),
        reverse=True,
    )
    hazard = families[0] + sum(families[1:]) / 2 if families else 0.0
    return max(totals.get("severity.major", 0.0), 0.0) + hazard


def _bare(term: str) -> str:
    """A term as text, without its wildcard, for "is this term inside that one"."""
    return "" if term.startswith("/") else rules.normalize(term.replace("*", ""))


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
        danger_hits = [h for h in hits["severity"] if h.label == "severity.major"] + hits["hazard"]
        danger = danger_score(danger_hits)
        if danger >= MAJOR_SCORE:
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
            possible_major=POSSIBLE_MAJOR_SCORE <= danger < MAJOR_SCORE,
            scores={
                "category": scores["category"],
                "kind": scores["kind"],
                "danger": {"major": danger, "negated": negated_danger(danger_hits)},
            },
        )
