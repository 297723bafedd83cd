"""The rules and the shipped model decide together.

Category and kind: the model's probabilities plus the rules' share of their own total (a rule
that fired tips a close call; no rule, the model decides). Severity: a major the rules find is
never lost: it stays major, or, where the model finds it unlikely and the rules' evidence is not
overwhelming, becomes ``possible_major`` (a person decides; it still counts as found). The model
adds a ``possible_major`` where it sees danger the rules do not (unless the owner said there is
none: "no gas smell"), makes the rules' weak evidence a major where it is near sure of it, and
``important`` where it is sure of that. Praise that names a danger ("thanks for fixing the gas
leak") is a possible major: the danger is most likely past. The figures were chosen on the
training hold-out (``bench/classify.py``).
"""

from __future__ import annotations

from daemon.classify.decision import Decision

RULES_WEIGHT = 0.6
"""How much the rules' share counts against the model's probability (both 0..1)."""
RULES_DAMPING = 3.0
"""Added to the rules' total: one weak hit is a small share, several strong ones a big one."""
POSSIBLE_BY_MODEL = 0.35
"""The model's probability of major from which a message goes to a person."""
CONFIRMED_BY_MODEL = 0.3
"""Below this probability of major, a rules major that is not certain becomes possible."""
CERTAIN_DANGER = 8.0
"""Danger evidence from here on is major whatever the model says (gas smell and a child hurt)."""
IMPORTANT_BY_MODEL = 0.6
CONFIRMS_WEAK = 0.9
"""The model's probability of major from which it turns the rules' weak evidence into a major:
two readings agree, so the general manager is paged rather than a person asked."""


def combine(decision: Decision, probabilities: dict[str, dict[str, float]]) -> Decision:
    """The rules' decision with the model's probabilities weighed in (changed in place)."""
    for name in ("category", "kind"):
        if name in probabilities:
            chosen = _blend(probabilities[name], decision.scores.get(name, {}))
            if chosen != getattr(decision, name):
                share = probabilities[name][chosen]
                decision.reasons.append(f"model.{name}:{chosen} ({share:.2f})")
                setattr(decision, name, chosen)
    if "severity" in probabilities:
        _severity(decision, probabilities["severity"])
    decision.source = "rules+model"
    return decision


def _blend(model: dict[str, float], rules: dict[str, float]) -> str:
    total = sum(score for score in rules.values() if score > 0)
    best, best_value = "", -1.0
    for label, probability in model.items():
        share = max(rules.get(label, 0.0), 0.0) / (total + RULES_DAMPING) if total else 0.0
        value = probability + RULES_WEIGHT * share
        if value > best_value:
            best, best_value = label, value
    return best


def _severity(decision: Decision, model: dict[str, float]) -> None:
    major = model.get("major", 0.0)
    danger = decision.scores.get("danger", {}).get("major", 0.0)
    if decision.severity == "major":
        if decision.kind == "praise" and danger < CERTAIN_DANGER:
            decision.severity = "important"
            decision.possible_major = True
            decision.reasons.append("praise: the danger is past, a person decides")
            return
        if danger < CERTAIN_DANGER and major < CONFIRMED_BY_MODEL:
            decision.severity = "important"
            decision.possible_major = True
            decision.reasons.append(f"model.severity:major unlikely ({major:.2f}): possible")
        return
    if decision.possible_major and major >= CONFIRMS_WEAK:
        decision.severity = "major"
        decision.possible_major = False
        decision.reasons.append(f"model.severity:major ({major:.2f}) confirms the weak evidence")
        return
    denied = danger <= 0 and decision.scores.get("danger", {}).get("negated", 0) > 0
    if not decision.possible_major and major >= POSSIBLE_BY_MODEL and not denied:
        decision.possible_major = True
        decision.reasons.append(f"model.severity:major ({major:.2f}): possible")
    if decision.severity == "general" and model.get("important", 0.0) >= IMPORTANT_BY_MODEL:
        decision.severity = "important"
        decision.reasons.append(f"model.severity:important ({model['important']:.2f})")
