"""Keyword rules for classification: loaded from a data file, matched in one pass per group.

Chinese terms match as substrings (Chinese has no spaces); Spanish and English terms match as
whole words after lower-casing and removing accents, so "Reparación" finds "reparacion".
A severity hit right after a negation ("没有煤气味", "no smell of gas") does not count.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_RULES = Path(__file__).with_name("defaults") / "classifier.toml"
GROUPS = ("category", "kind", "severity", "trade")
NEGATION_WINDOW_WORDS = 3
NEGATION_WINDOW_CHARS = 4

_WEIGHT = re.compile(r"\^(-?[0-9]+(?:\.[0-9]+)?)$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[a-z0-9]+(?:['&][a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lower case without accents; Chinese characters are left as they are."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Hit:
    label: str
    term: str
    weight: float
    negated: bool = False

    def __str__(self) -> str:
        flag = " (negated)" if self.negated else ""
        return f"{self.label}:{self.term}^{self.weight:g}{flag}"


@dataclass(frozen=True)
class _Term:
    label: str
    text: str
    weight: float


_Words = tuple[tuple[str, bool], ...]
"""A word term as (word, is_prefix) pairs: "defecto* de obra" -> (("defecto", True), ...)."""


class RuleSet:
    """All terms of one group (e.g. ``category``), indexed for one pass over the text.

    Word terms are looked up by their first word (exact or by prefix), Chinese and symbol terms
    by substring search, "/regex/" terms by their own regex.
    """

    def __init__(self, negations: tuple[set[str], set[str]] | None = None) -> None:
        self.negations = negations
        self.exact: dict[str, list[tuple[_Words, _Term]]] = defaultdict(list)
        self.prefix: dict[str, list[tuple[_Words, _Term]]] = defaultdict(list)
        self.substrings: list[tuple[str, _Term]] = []
        self.cjk: list[tuple[str, _Term]] = []
        self.regexes: list[tuple[re.Pattern[str], _Term]] = []
        self.prefix_lengths: list[int] = []

    def add(self, label: str, raw: str) -> None:
        weighted = _WEIGHT.search(raw)
        text = raw[: weighted.start()] if weighted else raw
        term = _Term(label, text, float(weighted.group(1)) if weighted else 1.0)
        if len(text) > 2 and text.startswith("/") and text.endswith("/"):
            self.regexes.append((re.compile(text[1:-1]), term))
            return
        norm = normalize(text.strip())
        words = _WORD.findall(norm.replace("*", ""))
        if _CJK.search(norm):
            self.cjk.append((norm, term))
            return
        if not words:
            self.substrings.append((norm, term))
            return
        stars = [w.endswith("*") for w in norm.split()]
        spec = tuple(zip(words, stars + [False] * (len(words) - len(stars)), strict=False))
        first, is_prefix = spec[0]
        (self.prefix if is_prefix else self.exact)[first].append((spec, term))
        if is_prefix:
            self.prefix_lengths = sorted({*self.prefix_lengths, len(first)})

    def hits(self, text: str) -> list[Hit]:
        found = self._word_hits(text)
        needles = self.substrings + (self.cjk if _CJK.search(text) else [])
        for needle, term in needles:
            at = text.find(needle)
            while at >= 0:
                found.append(Hit(term.label, term.text, term.weight, self._negated_chars(text, at)))
                at = text.find(needle, at + len(needle))
        for regex, term in self.regexes:
            found.extend(Hit(term.label, term.text, term.weight) for _ in regex.finditer(text))
        return found

    def _word_hits(self, text: str) -> list[Hit]:
        tokens = _WORD.findall(text)
        found = []
        for i, token in enumerate(tokens):
            candidates = list(self.exact.get(token, ()))
            for length in self.prefix_lengths:
                if len(token) >= length and token[:length] in self.prefix:
                    candidates.extend(self.prefix[token[:length]])
            for spec, term in candidates:
                if _matches(spec, tokens, i):
                    negated = self._negated_words(tokens[max(0, i - NEGATION_WINDOW_WORDS) : i])
                    found.append(Hit(term.label, term.text, term.weight, negated))
        return found

    def _negated_words(self, before: list[str]) -> bool:
        return self.negations is not None and bool(self.negations[0] & set(before))

    def _negated_chars(self, text: str, start: int) -> bool:
        if self.negations is None:
            return False
        before = text[max(0, start - NEGATION_WINDOW_CHARS) : start]
        if any(neg in before for neg in self.negations[1]):
            return True
        words = _WORD.findall(text[max(0, start - 40) : start])[-NEGATION_WINDOW_WORDS:]
        return self._negated_words(words)


def _matches(spec: _Words, tokens: list[str], start: int) -> bool:
    if start + len(spec) > len(tokens):
        return False
    for (word, is_prefix), token in zip(spec, tokens[start : start + len(spec)], strict=False):
        if not (token.startswith(word) if is_prefix else token == word):
            return False
    return True


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def load(rules_file: Path | None = None, extra: dict[str, Any] | None = None) -> dict[str, RuleSet]:
    """The rule sets per group: the bundled (or admin's) file, extended by config entries."""
    data = tomllib.loads((rules_file or DEFAULT_RULES).read_text(encoding="utf-8"))
    data = _merge(data, extra or {})
    negation = data.get("negation", {})
    zh_words = {normalize(w) for w in negation.get("zh", [])}
    other_words = {normalize(w) for lang, ws in negation.items() if lang != "zh" for w in ws}
    sets: dict[str, RuleSet] = {}
    for group in GROUPS:
        rules = RuleSet((other_words, zh_words) if group == "severity" else None)
        for label, per_language in data.get(group, {}).items():
            for terms in per_language.values():
                for raw in terms:
                    rules.add(f"{group}.{label}", raw)
        sets[group] = rules
    return sets


def scores(hits: list[Hit]) -> dict[str, float]:
    """Total weight per label; negated hits count for nothing."""
    totals: dict[str, float] = defaultdict(float)
    for hit in hits:
        if not hit.negated:
            totals[hit.label.split(".", 1)[1]] += hit.weight
    return dict(totals)
