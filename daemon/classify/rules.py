"""Keyword rules for classification: loaded from a data file, matched in one pass per text.

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
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import compress
from operator import attrgetter
from pathlib import Path
from re import _constants, _parser
from typing import Any

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "defaults" / "classifier.toml"
HAZARDS = DEFAULT_RULES.with_name("hazards.toml")
"""Danger by concept: hazard families and the many ways each is described (always loaded;
admins extend them with ``extra_rules.hazard.<family>``)."""
GROUPS = ("category", "kind", "severity", "trade", "hazard")
NEGATED = ("severity.", "hazard.", "kind.praise")
"""Labels (by prefix) whose hits a preceding negation cancels ("not happy", "没有煤气味").

Not the other kinds: Spanish doubles its negations ("no ha venido nadie"), so "nadie" after
"no" is still a complaint.
"""
NEGATION_WINDOW_WORDS = 3
NEGATION_WINDOW_CHARS = 4
_CANDIDATE_CACHE_SIZE = 20_000
"""Distinct words (and word pairs) whose terms a matcher remembers before it starts over."""

MIN_FREE_STEM = 5
"""A wildcard stem shorter than this takes only inflection endings: "pet*" finds "pets",
never "Petrova" or "petition"; "cobr*" finds "cobran", "cobrado"."""
_INFLECTION = re.compile(
    r"(?:s|es|ed|d|ing|ings|er|ers|y|ies|ied|age"
    r"|[aeio]?(?:s|n|r|ndo|endo|do|da|dos|das|ron|eron|mos|ba|ban|ste|a|o|as|os|an|en)"
    r"(?:me|te|se|nos|le|les|lo|la|los|las)?)"
)

_WEIGHT = re.compile(r"\^(-?[0-9]+(?:\.[0-9]+)?)$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[a-z0-9]+(?:['&][a-z0-9]+)*")
_COMMON_PUNCTUATION = " \t\n,.;:!?'\"-()"
"""Spaces and punctuation nearly every text has: a regex needing them needs nothing telling."""
_CLAUSE_END = re.compile(r"[.,;:!?\n\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")
"""Punctuation that ends a negation's reach (ASCII and full-width, 。，、！？：；)."""


_ABOVE_BMP = "\U00010000-\U0010ffff"
_ABOVE_BMP_CHAR = re.compile(f"[{_ABOVE_BMP}]")


@cache
def _mark_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every combining mark below U+10000, and the same marks or any character above U+FFFF,
    as character classes: one regex pass is far faster than testing each character in Python
    (built once, ~10 ms)."""
    marks = re.escape("".join(c for c in map(chr, range(0x10000)) if unicodedata.combining(c)))
    return re.compile(f"[{marks}]"), re.compile(f"[{marks}{_ABOVE_BMP}]")


def normalize(text: str) -> str:
    """Lower case without accents; Chinese characters are left as they are."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    if decomposed.isascii():
        return decomposed
    marks, marks_or_above = _mark_patterns()
    if not marks_or_above.search(decomposed):
        return decomposed
    if _ABOVE_BMP_CHAR.search(decomposed):  # emoji and the like: rare, so the plain way
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return marks.sub("", decomposed)


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    term: str
    weight: float
    negated: bool = False
    name: str = field(init=False, repr=False, compare=False)
    """The label without its group: "repair" for "category.repair"."""
    shown: str = field(init=False, repr=False, compare=False)
    """As the history shows it (``str(hit)``)."""

    def __post_init__(self) -> None:
        # Worked out once: the same hit objects come back for every text (see ``_Term.hit``).
        object.__setattr__(self, "name", self.label.partition(".")[2])
        flag = " (negated)" if self.negated else ""
        object.__setattr__(self, "shown", f"{self.label}:{self.term}^{self.weight:g}{flag}")

    def __str__(self) -> str:
        return self.shown


@dataclass(frozen=True)
class _Term:
    label: str
    text: str
    weight: float
    negatable: bool = False

    def hit(self, negated: bool) -> Hit:
        return self._hits[negated]

    @cached_property
    def _hits(self) -> tuple[Hit, Hit]:
        """The hit this term makes, as is and negated: built once, as hits are immutable."""
        as_is = Hit(self.label, self.text, self.weight)
        return as_is, Hit(self.label, self.text, self.weight, negated=True)


_Words = tuple[tuple[str, bool], ...]
"""A word term as (word, is_prefix) pairs: "defecto* de obra" -> (("defecto", True), ...)."""


class RuleSet:
    """All terms of one group (e.g. ``category``), as read: word terms by their first word
    (exact or by prefix), Chinese and symbol terms, "/regex/" terms. ``Matcher`` finds them."""

    def __init__(self, negations: tuple[set[str], set[str]] | None = None) -> None:
        self.negations = negations
        self.exact: dict[str, list[tuple[_Words, _Term]]] = defaultdict(list)
        self.prefix: dict[str, list[tuple[_Words, _Term]]] = defaultdict(list)
        self.substrings: list[tuple[str, _Term]] = []
        self.cjk: list[tuple[str, _Term]] = []
        self.regexes: list[tuple[re.Pattern[str], _Term]] = []
        self.version = 0
        """Counts changes, so that a ``Matcher`` knows when to index the terms again."""
        self._seen: dict[tuple[str, str], _Term] = {}
        self._matcher: Matcher | None = None

    def add(self, label: str, raw: str) -> None:
        """Add one term; the same term again for the same label replaces the earlier weight.

        So an admin's ``extra_rules`` can re-weight a default term, or switch it off with ^0.
        """
        self.version += 1
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

    def _remove(self, old: _Term) -> None:
        for table in (self.exact, self.prefix):
            for first, entries in table.items():
                table[first] = [(spec, t) for spec, t in entries if t is not old]
        self.substrings = [(n, t) for n, t in self.substrings if t is not old]
        self.cjk = [(n, t) for n, t in self.cjk if t is not old]
        self.regexes = [(r, t) for r, t in self.regexes if t is not old]

    def hits(self, text: str) -> list[Hit]:
        """Word hits in text order, then substring terms' and regex terms' hits, term by term."""
        if self._matcher is None:
            self._matcher = Matcher([self])
        return self._matcher.hits(text)[0]

    def negated_words(
        self, text: str, words: list[str], i: int, spans: list[re.Match[str]]
    ) -> bool:
        """A negation among the few words before word ``i``, in the same clause.

        ``spans`` are where the words are: filled in here, once, when first needed.
        """
        if self.negations is None or i == 0:
            return False
        first = max(0, i - NEGATION_WINDOW_WORDS)
        if self.negations[0].isdisjoint(words[first:i]):
            return False
        if not spans:
            spans.extend(_WORD.finditer(text))
        clause = _clause_start(text, spans[first].start(), spans[i].start())
        before = {m.group() for m in spans[first:i] if m.start() >= clause}
        return bool(self.negations[0] & before)

    def negated_chars(self, text: str, start: int) -> bool:
        """A negation just before ``start`` (Chinese), or among the few words before it."""
        if self.negations is None:
            return False
        lo = _clause_start(text, max(0, start - NEGATION_WINDOW_CHARS), start)
        before = text[lo:start]
        if any(neg in before for neg in self.negations[1]):
            return True
        lo = _clause_start(text, max(0, start - 40), start)
        words = set(_WORD.findall(text[lo:start])[-NEGATION_WINDOW_WORDS:])
        return bool(self.negations[0] & words)


class Matcher:
    """Rule sets matched together: one pass over a text finds the hits of each.

    Each set's hits come out as its own ``RuleSet.hits`` gives them. Terms added to a set later
    are seen too: the matcher indexes the sets again when one has changed.
    """

    def __init__(self, sets: list[RuleSet]) -> None:
        self.sets = sets
        self._index()

    def hits(self, text: str) -> list[list[Hit]]:
        """Per rule set, in order: word hits in text order, then substring and regex hits."""
        return self.split_hits(text, None)[0]

    def split_hits(self, text: str, head: int | None) -> tuple[list[list[Hit]], list[list[Hit]]]:
        """``hits(text)``, and in the same pass ``hits(text[:head])`` (none for None).

        ``text[head]`` must be a line break, so that no word runs across it: a mail's subject
        line, whose terms count again on their own. Words and substrings inside the head are
        found just as on their own (negations look back only); regexes are run again.
        """
        if list(map(_VERSION, self.sets)) != self._versions:
            self._index()
        words = _WORD.findall(text)
        head_words = len(_WORD.findall(text, 0, head)) if head is not None else -1
        head_end = head if head is not None else -1
        spans: list[re.Match[str]] = []
        found: list[list[Hit]] = [[] for _ in self.sets]
        in_head: list[list[Hit]] = [[] for _ in self.sets]
        for n, i, end, term in self._words.matches(words):
            hit = term.hit(term.negatable and self.sets[n].negated_words(text, words, i, spans))
            found[n].append(hit)
            if end <= head_words:
                in_head[n].append(hit)
        for n, at, end, term in self._needles.occurrences(text):
            hit = term.hit(term.negatable and self.sets[n].negated_chars(text, at))
            found[n].append(hit)
            if end <= head_end:
                in_head[n].append(hit)
        self._regex_hits(text, found)
        if head is not None:
            self._regex_hits(text[:head], in_head)
        return found, in_head

    def _regex_hits(self, text: str, found: list[list[Hit]]) -> None:
        for n, at, _, term in self._regexes.occurrences(text):
            found[n].append(term.hit(term.negatable and self.sets[n].negated_chars(text, at)))

    def _index(self) -> None:
        self._versions = list(map(_VERSION, self.sets))
        self._words = _WordTerms(self.sets)
        self._needles = _Needles(self.sets)
        self._regexes = _Regexes(self.sets)


_VERSION = attrgetter("version")

_Candidates = list[tuple[_Words, int, int, _Term]]
"""Word terms that may match from some word on: the words each still needs, its set, its
length in words, itself."""


class _WordTerms:
    """Word terms of all sets by first word; what each word and word pair may start is
    remembered.

    Mail repeats its words, so most words cost one dictionary look-up, and a phrase is only
    checked word by word where its first two words are there.
    """

    def __init__(self, sets: list[RuleSet]) -> None:
        self.exact: dict[str, _Candidates] = defaultdict(list)
        self.prefix: dict[str, _Candidates] = defaultdict(list)
        for n, rule_set in enumerate(sets):
            for own, merged in ((rule_set.exact, self.exact), (rule_set.prefix, self.prefix)):
                for first, entries in own.items():
                    merged[first] += [(spec[1:], n, len(spec), term) for spec, term in entries]
        self.prefixes = _Strings(set(self.prefix))
        self.by_word: dict[str, _Candidates] = {}
        self.by_pair: dict[tuple[str, str], _Candidates] = {}

    def matches(self, words: list[str]) -> list[tuple[int, int, int, _Term]]:
        """(set number, word number, end, term) for each term matching there, in text order."""
        starting = list(map(self.by_word.get, words))
        if None in starting:
            self._look_up(words, starting)
        last = len(words) - 1
        found = []
        for i in compress(range(len(words)), starting):  # some term starts here
            pair = (words[i], words[i + 1] if i < last else "")
            candidates = self.by_pair.get(pair)
            if candidates is None:
                candidates = self._by_pair(pair, starting[i])
            for rest, n, size, term in candidates:
                if not rest or _matches(rest, words, i + 2):
                    found.append((n, i, i + size, term))
        return found

    def _look_up(self, words: list[str], starting: list[_Candidates | None]) -> None:
        """Fill in ``starting`` for the words not seen before, and remember them."""
        if len(self.by_word) > _CANDIDATE_CACHE_SIZE:
            self.by_word = {}
        for i, word in enumerate(words):
            if starting[i] is None:
                known = self.by_word.get(word)
                if known is None:
                    known = self.by_word[word] = self._starting(word)
                starting[i] = known

    def _starting(self, word: str) -> _Candidates:
        """Exact terms first, then prefix terms by the length of the prefix (per set as
        ``RuleSet.hits`` always took them)."""
        candidates = list(self.exact.get(word, ()))
        for prefix in self.prefixes.beginning(word):
            if stem_fits(prefix, word):
                candidates += self.prefix[prefix]
        return candidates

    def _by_pair(self, pair: tuple[str, str], starting: _Candidates) -> _Candidates:
        """Of the terms ``pair[0]`` may start, those ``pair[1]`` goes on with ("" ends the text)."""
        candidates = [
            (rest[1:], n, size, term)
            for rest, n, size, term in starting
            if not rest or _matches(rest[:1], [pair[1]], 0)
        ]
        if len(self.by_pair) >= _CANDIDATE_CACHE_SIZE:
            self.by_pair = {}
        self.by_pair[pair] = candidates
        return candidates


class _Strings:
    """Where each of some strings occurs in a text, found by one regex search for all of them.

    The regex is a trie, so at each place it finds the longest string; the shorter ones that
    match there are its prefixes, known in advance.
    """

    def __init__(self, strings: set[str]) -> None:
        strings = {string for string in strings if string}
        self.regex = re.compile(_trie_pattern(strings)) if strings else None
        self.prefixes = {
            string: [string[:n] for n in range(1, len(string) + 1) if string[:n] in strings]
            for string in strings
        }

    def beginning(self, text: str) -> list[str]:
        """The strings ``text`` begins with, the shortest first."""
        match = self.regex.match(text) if self.regex else None
        return self.prefixes[match.group()] if match else []

    def starts(self, text: str) -> dict[str, list[int]]:
        """Per string found, its places as ``str.find`` steps through them: never overlapping."""
        starts: dict[str, list[int]] = {}
        pos = 0
        while self.regex and (match := self.regex.search(text, pos)) is not None:
            at = match.start()
            for string in self.prefixes[match.group()]:
                seen = starts.setdefault(string, [])
                if not seen or at >= seen[-1] + len(string):
                    seen.append(at)
            pos = at + 1
        return starts


class _Needles:
    """Substring terms (Chinese, symbols): per term in order, its places left to right.

    Terms with Chinese characters are only looked for in texts that have some: a character
    class of their first characters finds the places where one may start (it compiles in a
    moment, where a trie of a thousand Chinese terms takes a tenth of a second), and the terms
    that start with that character are tried there, as the other strings' trie would.
    """

    def __init__(self, sets: list[RuleSet]) -> None:
        self.entries = [
            (needle, n, term)
            for n, rule_set in enumerate(sets)
            for needle, term in rule_set.substrings + rule_set.cjk
            if needle
        ]
        self.entries_of: dict[str, list[int]] = defaultdict(list)
        for index, (needle, _, _) in enumerate(self.entries):
            self.entries_of[needle].append(index)
        chinese = {needle for needle in self.entries_of if _CJK.search(needle)}
        self.anywhere = _Strings(set(self.entries_of) - chinese)
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for needle in sorted(chinese, key=len):
            self.by_first[needle[0]].append(needle)
        firsts = "".join(sorted(self.by_first))
        self.first = re.compile(f"[{re.escape(firsts)}]") if firsts else None

    def occurrences(self, text: str) -> list[tuple[int, int, int, _Term]]:
        """(set number, start, end, term) for every occurrence of every term, in term order."""
        starts = self.anywhere.starts(text)
        if self.first is not None and not text.isascii() and _CJK.search(text):
            self._chinese_starts(text, starts)
        found = sorted(index for needle in starts for index in self.entries_of[needle])
        return [
            (n, at, at + len(needle), term)
            for needle, n, term in map(self.entries.__getitem__, found)
            for at in starts[needle]
        ]

    def _chinese_starts(self, text: str, starts: dict[str, list[int]]) -> None:
        """Per Chinese term found, its places as ``str.find`` steps through them."""
        by_first = self.by_first
        for match in self.first.finditer(text):
            at = match.start()
            for needle in by_first[match.group()]:
                if text.startswith(needle, at):
                    seen = starts.setdefault(needle, [])
                    if not seen or at >= seen[-1] + len(needle):
                        seen.append(at)


class _Regexes:
    """Regex terms, each searched for only in texts that have a string every match contains.

    Those strings are looked for once per text, for all regexes together.
    """

    def __init__(self, sets: list[RuleSet]) -> None:
        self.entries = [
            (regex, n, term) for n, rule_set in enumerate(sets) for regex, term in rule_set.regexes
        ]
        self.always: set[int] = set()
        self.wanting: dict[str, list[int]] = defaultdict(list)
        """Per string, the regexes that a text with it may match."""
        for index, (regex, _, _) in enumerate(self.entries):
            needed = _needed(regex)
            for string in needed:
                self.wanting[string].append(index)
            if not needed:
                self.always.add(index)

    def occurrences(self, text: str) -> list[tuple[int, int, int, _Term]]:
        """(set number, start, end, term) for every match of every regex, in term order."""
        chosen = set(self.always)
        for string, indices in self.wanting.items():
            if string in text:
                chosen.update(indices)
        found = []
        for index in sorted(chosen):
            regex, n, term = self.entries[index]
            found.extend((n, *match.span(), term) for match in regex.finditer(text))
        return found


def _needed(regex: re.Pattern[str]) -> tuple[str, ...]:
    """Strings one of which every match of ``regex`` contains; none when that is not known.

    Worked out from the parsed pattern (``re``'s own parser); patterns with flags, and parts
    it does not look into, just give less to go on: the result is never wrong, at most empty.
    """
    if regex.flags != re.UNICODE:
        return ()
    try:
        needs = _needs(_parser.parse(regex.pattern).data)
    except Exception:  # the parser is internal to re: if it changes, search every text
        return ()
    telling = [need for need in needs if all(s.strip(_COMMON_PUNCTUATION) for s in need)]
    if not telling:
        return ()
    rarest = _rarest(telling)  # of these, a string with another one inside adds nothing:
    return tuple(s for s in rarest if not any(other in s for other in rarest if other != s))


_Needs = list[tuple[str, ...]]
"""What a match contains: for each entry, at least one of its strings."""


def _needs(items: list[tuple[Any, Any]]) -> _Needs:
    """For a sequence: its runs of literal characters, and what its parts need."""
    needs: _Needs = []
    run = ""
    for op, av in items:
        if op is _constants.LITERAL:
            run += chr(av)
            continue
        if run:
            needs.append((run,))
            run = ""
        needs += _part_needs(op, av)
    return needs + [(run,)] if run else needs


def _part_needs(op: Any, av: Any) -> _Needs:
    if op is _constants.BRANCH:
        choices = [_needs(alternative.data) for alternative in av[1]]
        if all(choices):
            return [tuple(s for needs in choices for s in _rarest(needs))]
    elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and av[0] >= 1:
        return _needs(av[2].data)
    elif op is _constants.SUBPATTERN and not av[1] and not av[2]:
        return _needs(av[3].data)
    elif op is _constants.IN and all(kind is _constants.LITERAL for kind, _ in av):
        return [tuple(chr(code) for _, code in av)]
    return []


def _rarest(needs: _Needs) -> tuple[str, ...]:
    return max(needs, key=_rarity)


def _rarity(strings: tuple[str, ...]) -> tuple[int, int]:
    """How unlikely a text has one of ``strings`` by chance: the shortest string's length in
    UTF-8 (where Chinese characters weigh three), then the fewer strings the better."""
    return min(len(s.encode()) for s in strings), -len(strings)


def _trie_pattern(words: set[str]) -> str:
    """A regex for any of ``words``, the longest first, branching on one character at a time.

    Each branch starts with its own literal, which lets ``re`` skip quickly to the places
    where some word begins.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = []
    for ch, child in sorted(node.items()):
        if not ch:
            continue
        chain = re.escape(ch)
        while len(child) == 1 and "" not in child:  # no choice here: no group either
            [(ch, child)] = child.items()
            chain += re.escape(ch)
        branches.append(chain + _node_pattern(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def _clause_start(text: str, lo: int, hi: int) -> int:
    """Where the clause that ends at ``hi`` begins, looking back no further than ``lo``."""
    last = lo
    for mark in _CLAUSE_END.finditer(text, lo, hi):
        last = mark.end()
    return last


def stem_fits(stem: str, word: str) -> bool:
    """Whether a wildcard term's ``stem`` finds ``word``: any ending for a long stem, an
    inflection (a doubled last letter allowed: "drip*" finds "dripping") for a short one."""
    if not word.startswith(stem):
        return False
    rest = word[len(stem) :]
    if not rest or len(stem) >= MIN_FREE_STEM:
        return True
    if len(rest) > 1 and rest[0] == stem[-1]:
        rest = rest[1:]
    return _INFLECTION.fullmatch(rest) is not None


def _matches(spec: _Words, words: list[str], start: int) -> bool:
    if start + len(spec) > len(words):
        return False
    for (word, is_prefix), token in zip(spec, words[start : start + len(spec)], strict=False):
        if not (stem_fits(word, token) if is_prefix else token == word):
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
    data = _merge(data, tomllib.loads(HAZARDS.read_text(encoding="utf-8")))
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
    totals: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if hit.negated:
            continue
        if distinct:
            if (hit.label, hit.term) in seen:
                continue
            seen.add((hit.label, hit.term))
        totals[hit.name] = totals.get(hit.name, 0.0) + hit.weight
    return totals
