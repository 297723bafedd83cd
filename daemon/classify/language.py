"""Which language a message is in: Chinese, Spanish or English, from the text itself.

Pure and database-free, so that the read-ahead helper can tell it while the service records the
batch before; the ``language`` step tells it here for items read in the service.
"""

from __future__ import annotations

import re

LANGUAGES = ("zh", "es", "en")
SAMPLE_CHARS = 4000
"""How much of the text is read: enough to tell, and a long mail costs no more."""

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_WORD = re.compile(r"[a-záéíóúñü]+")
_ES_MARKS = re.compile(r"[ñ¿¡áéíóú]")
_ES_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "que",
        "y",
        "en",
        "un",
        "una",
        "por",
        "para",
        "con",
        "no",
        "es",
        "está",
        "están",
        "mi",
        "su",
        "al",
        "lo",
        "se",
        "muy",
        "pero",
        "como",
        "desde",
        "hace",
        "hay",
        "piso",
        "vecino",
        "agua",
        "edificio",
        "gracias",
        "buenos",
        "días",
        "saludos",
        "atentamente",
        "señores",
        "estimados",
        "favor",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "are",
        "was",
        "my",
        "our",
        "we",
        "with",
        "for",
        "on",
        "at",
        "this",
        "that",
        "it",
        "not",
        "have",
        "has",
        "from",
        "please",
        "thank",
        "thanks",
        "you",
        "your",
        "dear",
        "regards",
        "unit",
        "building",
        "water",
        "since",
        "there",
        "been",
    ]
)


def detect(text: str, hint: str = "", default: str = "en") -> str:
    """Pick zh/es/en from the text itself; a Content-Language hint only breaks ties."""
    han = len(_HAN.findall(text))
    if han >= 2 and len(_KANA.findall(text)) < han:
        return "zh"
    lowered = text.lower()
    words = _WORD.findall(lowered)
    es = sum(w in _ES_WORDS for w in words) + 2 * len(_ES_MARKS.findall(lowered))
    en = sum(w in _EN_WORDS for w in words)
    if es > en:
        return "es"
    if en > es:
        return "en"
    hint = hint[:2]
    return hint if hint in LANGUAGES else default


def sample(subject: str, text: str) -> str:
    """What a message's language is told from: the subject and the start of the text."""
    return f"{subject}\n{text[:SAMPLE_CHARS]}"
