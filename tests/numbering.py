"""Checks on ticket numbers that hold whenever a test runs, also across the desk's midnight."""

from __future__ import annotations

from collections import defaultdict


def gap_free(numbers: list[str]) -> bool:
    """Each day's numbers (``C20261124-0001`` …) run 1, 2, 3 … without a gap or a repeat; a test
    that runs across the desk's midnight sees two days, each starting again at 1."""
    days: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        day, sequence = number.rsplit("-", 1)
        days[day].append(int(sequence))
    return all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in days.values())
