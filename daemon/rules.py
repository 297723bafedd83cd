"""Keyword rules for classification: loaded from a data file, matched in one pass per group.

Chinese terms match as substrings (Chinese has no spaces); Spanish and English terms match as
whole words after lower-casing and removing accents, so "Reparación" finds "reparacion".
A severity or kind hit right after a negation in the same clause ("没有煤气味", "no smell of
gas", but not "ni piscina ni parque. Varios vecinos…") does not count.
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
NEGATED = ("severity.", "kind.praise")
"""Labels (by prefix) whose hits a preceding negation cancels ("not happy", "没有煤气味").

Not the other kinds: Spanish doubles its negations ("no ha venido nadie"), so "nadie" after
"no" is still a complaint.
"""
NEGATION_WINDOW_WORDS = 3
NEGATION_WINDOW_CHARS = 4

_WEIGHT = re.compile(r"\^(-?[0-9]+(?:\.[0-9]+)?)$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[a-z0-9]+(?:['&][a-z0-9]+)*")
_CLAUSE_END = re.compile(r"[.,;:!?\n\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")
"""Punctuation that ends a negation's reach (ASCII and full-width, 。，、！？：；)."""


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
    negatable: bool = False


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
        self._seen: dict[tuple[str, str], _Term] = {}

    def add(self, label: str, raw: str) -> None:
        """Add one term; the same term again for the same label replaces the earlier weight.

        So an admin's ``extra_rules`` can re-weight a default term, or switch it off with ^0.
        """
        weighted = _WEIGHT.search(raw)
        text = raw[: weighted.start()] if weighted else raw
        weight = float(weighted.group(1)) if weighted else 1.0
        negatable = self.negations is not None and label.startswith(NEGATED)
        term = _Term(label, text, weight, negatable)
        is_regex = len(text) > 2 and text.startswith("/") and text.endswith("/")
        norm = text if is_regex else normalize(text.strip())
        key = (label, norm)
        if key in self._seen:
            self._remove(self._seen[key])
        self._seen[key] = term
        if term.weight == 0:
            return
        if is_regex:
            self.regexes.append((re.compile(text[1:-1]), term))
            return
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

    def _remove(self, old: _Term) -> None:
        for table in (self.exact, self.prefix):
            for first, entries in table.items():
                table[first] = [(spec, t) for spec, t in entries if t is not old]
        self.substrings = [(n, t) for n, t in self.substrings if t is not old]
        self.cjk = [(n, t) for n, t in self.cjk if t is not old]
        self.regexes = [(r, t) for r, t in self.regexes if t is not old]

    def hits(self, text: str) -> list[Hit]:
        found = self._word_hits(text)
        needles = self.substrings + (self.cjk if _CJK.search(text) else [])
        for needle, term in needles:
            at = text.find(needle)
            while at >= 0:
                negated = term.negatable and self._negated_chars(text, at)
                found.append(Hit(term.label, term.text, term.weight, negated))
                at = text.find(needle, at + len(needle))
        for regex, term in self.regexes:
            found.extend(
                Hit(
                    term.label,
                    term.text,
                    term.weight,
                    term.negatable and self._negated_chars(text, m.start()),
                )
                for m in regex.finditer(text)
            )
        return found

    def _word_hits(self, text: str) -> list[Hit]:
        matches = list(_WORD.finditer(text))
        tokens = [m.group() for m in matches]
        found = []
        for i, token in enumerate(tokens):
            candidates = list(self.exact.get(token, ()))
            for length in self.prefix_lengths:
                if len(token) >= length and token[:length] in self.prefix:
                    candidates.extend(self.prefix[token[:length]])
            for spec, term in candidates:
                if _matches(spec, tokens, i):
                    negated = term.negatable and self._negated_words(text, matches, i)
                    found.append(Hit(term.label, term.text, term.weight, negated))
        return found

    def _negated_words(self, text: str, matches: list[re.Match[str]], i: int) -> bool:
        """A negation among the few words before token ``i``, in the same clause."""
        if self.negations is None or i == 0:
            return False
        first = max(0, i - NEGATION_WINDOW_WORDS)
        clause = _clause_start(text, matches[first].start(), matches[i].start())
        words = {m.group() for m in matches[first:i] if m.start() >= clause}
        return bool(self.negations[0] & words)

    def _negated_chars(self, text: str, start: int) -> bool:
        if self.negations is None:
            return False
        lo = _clause_start(text, max(0, start - NEGATION_WINDOW_CHARS), start)
        before = text[lo:start]
        if any(neg in before for neg in self.negations[1]):
            return True
        lo = _clause_start(text, max(0, start - 40), start)
        words = set(_WORD.findall(text[lo:start])[-NEGATION_WINDOW_WORDS:])
        return bool(self.negations[0] & words)


def _clause_start(text: str, lo: int, hi: int) -> int:
    """Where the clause that ends at ``hi`` begins, looking back no further than ``lo``."""
    last = lo
    for mark in _CLAUSE_END.finditer(text, lo, hi):
        last = mark.end()
    return last


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
        rules = RuleSet((other_words, zh_words))
        for label, per_language in data.get(group, {}).items():
            for terms in per_language.values():
                for raw in terms:
                    rules.add(f"{group}.{label}", raw)
        sets[group] = rules
    return sets


def scores(hits: list[Hit], distinct: bool = False) -> dict[str, float]:
    """Total weight per label; negated hits count for nothing.

    With ``distinct``, each term counts once however often it occurs: "gas" three times in a
    question about the gas bill is still one mention of gas.
    """
    totals: dict[str, float] = defaultdict(float)
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if hit.negated:
            continue
        if distinct:
            if (hit.label, hit.term) in seen:
                continue
            seen.add((hit.label, hit.term))
        totals[hit.label.split(".", 1)[1]] += hit.weight
    return dict(totals)
