"""Names are not words: the company's estates, streets, buildings and people, found and masked.

"Greenfield Court" is an estate, not a court case; "Torre del Fuego" is a tower, not a fire;
法院路 is a street; "Petrova" signs the mail. Locate reads the estate and its building from the
register (``[[estates]]``); before the keyword rules and the model read a text, every name found
here is replaced by "_", so that no term matches inside it. Plain values only (no
configuration models): the read-ahead helper masks exactly as the service does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from daemon.classify import location

MASK = "_"

_SUFFIXES_EN = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Drive|Way|Close|Crescent|Terrace|Court|Ct|Gardens|Garden"
    "|Park|Place|Square|Heights|Mansions|House|Tower|Towers|Plaza|Residences|Residence|Estate"
    "|Village|View|Green|Grove|Hill|Row|Walk|Wharf|Quay|Mews|Court Road|Apartments|Lodge|Manor"
)
_LEGAL = {"small", "claims", "county", "high", "supreme", "crown", "magistrates", "district",
          "family", "appeal", "appeals", "federal", "civil", "criminal", "tax", "the", "a", "my",
          "our", "your", "to", "in", "court", "i", "we", "please", "dear", "hi",
          "hello"}  # fmt: skip
"""Words before "Court" that make it a court of law, or are no part of a name."""
_EN_PLACE = re.compile(
    rf"\b(?:[0-9]+[A-Za-z]?,?\s+)?((?:[A-Z][a-z'’]+\s+){{1,3}})(?:{_SUFFIXES_EN})\b\.?"
)
_EN_SUFFIX = re.compile(rf"[a-z'’]\s+(?:{_SUFFIXES_EN})\b")
"""What every English place name has: a quick test before the slower search."""
_ES_WORD = re.compile(
    r"(?i:c/|calle|avda|avenida|paseo|p[º°]|plaza|pza|ronda|camino|carretera|traves[ií]a"
    r"|urbanizaci[óo]n|urb\.|residencial|conjunto|edificio|torre|parque|jardines|colonia|barrio)"
)
_ES_PLACE = re.compile(
    r"(?<!\w)(?i:c/|calle|avda\.?|avenida|paseo|p[º°]|plaza|pza\.?|ronda|camino|carretera"
    r"|traves[ií]a|urbanizaci[óo]n|urb\.|residencial|conjunto|edificio|torre|torres|parque"
    r"|jardines|colonia|barrio)\s+(?:(?:de|del|la|las|los|el|y)\s+)*"
    r"[A-ZÁÉÍÓÚÑ][\wáéíóúñü]+(?:\s+(?:(?:de|del|la|las|los|el|y)\s+)*[A-ZÁÉÍÓÚÑ][\wáéíóúñü]+){0,3}"
)
_NOT_NAME_START = "的在我们了是和与住从到对给把被这那个有没不也都就还很太已又再及或向于为"
_ZH_PLACE = re.compile(
    rf"(?P<name>(?:(?![{_NOT_NAME_START}])[\u4e00-\u9fff]){{2,4}})"
    r"(?P<kind>路|街|大道|巷|小区|花园|家园|公寓|大厦|山庄|华府|华庭|苑)"
    r"(?:[0-9０-９一二三四五六七八九十]+号)?"
)
_ZH_NOT_STREET = set("线电道马水网铁公出思走一回半小上下近去来带引迷开岔山通管短断段主")
"""A character before 路 that makes a word, not a street: 线路, 电路, 马路, 短路, 主路."""
_ZH_COMMON = re.compile(
    "请问|隔壁|对面|附近|周边|整个|中心|入户|空中|屋顶|楼顶|露台|儿童|社区|公共|小区|门口|后面"
    "|前面|旁边|里面|外面|楼下|楼上|咱们|这条|那条|一条|本"
)
"""Words that make 中心花园, 入户花园, 请问小区, 隔壁小区 a thing or a phrase, not a name."""
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sr|Sra|Srta|Don|Doña|Dña)\.?\s+([A-ZÁÉÍÓÚÑ][\wáéíóúñü'’-]+)"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME_PART = re.compile(r"[^\W\d_][\w'’-]*")
_SKIPPED_NAME_PARTS = {"mr", "mrs", "ms", "miss", "dr", "sr", "sra", "srta", "don", "the", "and"}


class Register:
    """The estates register, as plain values: ``[{"name", "aliases": {lang: [...]},
    "buildings": [...]}]``."""

    def __init__(self, estates: Iterable[Mapping[str, Any]] = ()) -> None:
        self.names: list[tuple[str, str]] = []
        """(how it is written, the estate's name), longest first."""
        self.buildings: dict[str, list[str]] = {}
        for estate in estates:
            name = str(estate["name"])
            aliases = [
                a for per_language in estate.get("aliases", {}).values() for a in per_language
            ]
            written = [name, *aliases]
            self.names += [(w, name) for w in written if w.strip()]
            self.buildings[name] = [b for b in estate.get("buildings", []) if b.strip()]
        self.names.sort(key=lambda pair: -len(pair[0]))
        every = [w for w, _ in self.names] + [b for bs in self.buildings.values() for b in bs]
        self._known = _alternatives(sorted(set(every), key=len, reverse=True))

    def estate(self, text: str) -> str | None:
        """The first estate the text names (by its name or an alias)."""
        if self._known is None:
            return None
        lowered = text.lower()
        found = [(lowered.find(w.lower()), name) for w, name in self.names if _contains(text, w)]
        return min(found)[1] if found else None

    def locate(self, subject: str, text: str) -> dict[str, str] | None:
        """Estate, building, unit and room: the register's names first, then as written."""
        both = f"{subject}\n{text}"
        found = location.extract(both) or {}
        estate = self.estate(both)
        if estate is not None:
            named = [b for b in self.buildings.get(estate, []) if _contains(both, b)]
            if named:
                building = location.extract(named[0]) or {}
                found["building"] = building.get("building", named[0])
            found = {"estate": estate, **found}
        return found or None

    def mask(self, text: str, sender_name: str = "") -> str:
        """The text with names replaced by "_": the register's estates and buildings, streets
        and estates by their form, places (Block 3, 5ºB), titled people and the sender."""
        if self._known is not None:
            text = self._known.sub(MASK, text)
        if _EN_SUFFIX.search(text):
            text = _EN_PLACE.sub(_en_place, text)
        if _ES_WORD.search(text):
            text = _ES_PLACE.sub(MASK, text)
        if _CJK.search(text):
            text = _ZH_PLACE.sub(_zh_place, text)
        text = _TITLE.sub(MASK, text)
        sender = _sender_pattern(sender_name)
        if sender is not None:
            text = sender.sub(MASK, text)
        return location.mask(text, MASK)


def _alternatives(written: list[str]) -> re.Pattern[str] | None:
    if not written:
        return None
    parts = [re.escape(w) if _CJK.search(w) else rf"(?<!\w){re.escape(w)}(?!\w)" for w in written]
    return re.compile("|".join(parts), re.IGNORECASE)


def _contains(text: str, written: str) -> bool:
    if _CJK.search(written):
        return written in text
    return re.search(rf"(?<!\w){re.escape(written)}(?!\w)", text, re.IGNORECASE) is not None


def _en_place(match: re.Match[str]) -> str:
    words = match.group(1).lower().split()
    if match.group().rstrip(".").endswith("Court") and set(words) & _LEGAL:
        return match.group()
    if words and words[0] in _LEGAL:  # "The", "To" open a sentence, not a name
        return match.group()
    return MASK


def _zh_place(match: re.Match[str]) -> str:
    name = match.group("name")
    if match.group("kind") == "路" and name[-1] in _ZH_NOT_STREET or _ZH_COMMON.search(name):
        return match.group()
    return MASK


@lru_cache(maxsize=4096)
def _sender_pattern(sender_name: str) -> re.Pattern[str] | None:
    """The sender's name and its parts of three letters or more, as whole words."""
    parts = [sender_name.strip()] if _CJK.search(sender_name) else []
    parts += [
        part
        for part in _NAME_PART.findall(sender_name)
        if len(part) >= 3 and part.lower() not in _SKIPPED_NAME_PARTS and not _CJK.search(part)
    ]
    parts = [p for p in parts if len(p) >= 2]
    return _alternatives(sorted(set(parts), key=len, reverse=True))


_Plain = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]], ...]


@lru_cache(maxsize=16)
def _register(estates: _Plain) -> Register:
    return Register(
        {"name": name, "aliases": dict(aliases), "buildings": list(buildings)}
        for name, aliases, buildings in estates
    )


def register(estates: Iterable[Any]) -> Register:
    """The register for configured estates (settings objects or plain dicts), built once."""
    plain = []
    for estate in estates:
        data = estate if isinstance(estate, Mapping) else estate.model_dump()
        aliases = tuple(sorted((k, tuple(v)) for k, v in data.get("aliases", {}).items()))
        plain.append((str(data["name"]), aliases, tuple(data.get("buildings", []))))
    return _register(tuple(plain))


def plain(estates: Iterable[Any]) -> list[dict[str, Any]]:
    """The estates as plain dicts, for the read-ahead helper (which loads no configuration)."""
    return [e if isinstance(e, Mapping) else e.model_dump() for e in estates]
