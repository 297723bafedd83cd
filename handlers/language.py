"""Language: Chinese, Spanish or English, so that every answer is in the owner's language."""

from __future__ import annotations

from daemon.classify.language import detect, sample
from handlers.context import Item

name = "language"


def run(item: Item) -> None:
    found = item.findings
    if found is not None:  # told by the read-ahead helper, from the same subject and text
        item.language = found.language
        return
    hint, default = item.content_language, item.settings.desk.default_language
    item.language = detect(sample(item.subject, item.written), hint, default)
