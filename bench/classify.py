"""Classifier benchmark: accuracy on the labelled sets, and speed on one core.

Run from the repository root::

    .venv/bin/python bench/classify.py                 # the product as shipped (rules + model)
    .venv/bin/python bench/classify.py --rules-only    # the keyword rules alone
    .venv/bin/python bench/classify.py --passes 5 --confusion

Each message is classified as the pipeline does it: only what the person wrote
(``own_words``), names masked (``for_rules``), then ``Classifier.classify``.

What it prints, per set and per language (zh, es, en, all):

1. ``tests/data/labelled.jsonl`` (hand-labelled, 296 messages; the model has seen it);
2. the hold-out fifth of ``data/training/``, read with a model fitted as the shipped one but
   without it (the shipped model is fitted on all the training corpus; this refit takes
   seconds and needs scikit-learn);
3. ``tests/data/blind/`` and ``tests/data/blind-2/`` (each written by its own author, who never
   saw the rules or the training corpus; never used for tuning);

category and kind accuracy, major recall (a ``possible_major`` counts as found), major
precision (of the "major" verdicts, those that page the general manager), how many messages were
possible majors (and how many of those are labelled major), and the category confusion
(``--confusion``: rows are the labels, columns the verdicts). Then the speed: ms per message on
one core, through the whole reading above (goal: < 2 ms).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from daemon.classify import build_model, corpus, training  # noqa: E402
from daemon.classify.classifier import Classifier  # noqa: E402
from daemon.classify.decision import Decision  # noqa: E402
from daemon.classify.names import Register  # noqa: E402
from daemon.classify.written import for_rules, own_words  # noqa: E402
from daemon.config import CATEGORIES, ClassifierSettings  # noqa: E402

LANGUAGES = ("zh", "es", "en")
SHORT = {
    "repair": "rep",
    "construction_quality": "cq",
    "design": "des",
    "property_service": "ps",
    "billing": "bil",
    "sales_contract": "sal",
    "other": "oth",
}


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def decide(classifier: Classifier, register: Register, example: training.Example) -> Decision:
    """As the pipeline: what the person wrote, names masked, then the classifier."""
    written = own_words(example.body, example.language or "", example.subject)
    return classifier.classify(*for_rules(register, example.subject, written, ""))


def found(decision: Decision) -> bool:
    """A major is found when the ticket pages the GM or goes to a person as possible_major."""
    return decision.severity == "major" or decision.possible_major


def figures(pairs: list[tuple[training.Example, Decision]]) -> str:
    n = len(pairs)
    category = sum(e.labels.get("category") == d.category for e, d in pairs)
    kind = sum(e.labels.get("kind") == d.kind for e, d in pairs)
    majors = [d for e, d in pairs if e.labels.get("severity") == "major"]
    recalled = sum(found(d) for d in majors)
    verdicts = [e for e, d in pairs if d.severity == "major"]
    right = sum(e.labels.get("severity") == "major" for e in verdicts)
    possible = [e for e, d in pairs if d.possible_major and d.severity != "major"]
    possible_right = sum(e.labels.get("severity") == "major" for e in possible)
    recall = f"{recalled / len(majors):6.1%}" if majors else "     -"
    precision = f"{right / len(verdicts):6.1%}" if verdicts else "     -"
    return (
        f"n={n:<4} category {category / n:6.1%}  kind {kind / n:6.1%}  "
        f"major recall {recall} ({recalled}/{len(majors)})  "
        f"precision {precision} ({right}/{len(verdicts)})  "
        f"possible {len(possible)} ({possible_right} major)"
    )


def confusion(pairs: list[tuple[training.Example, Decision]]) -> list[str]:
    counts = Counter((e.labels.get("category"), d.category) for e, d in pairs)
    lines = ["  label \\ verdict      " + "".join(f"{SHORT[c]:>5}" for c in CATEGORIES)]
    for truth in CATEGORIES:
        row = "".join(f"{counts[(truth, p)] or '.':>5}" for p in CATEGORIES)
        lines.append(f"  {truth:<21}{row}")
    return lines


def report(
    name: str, examples: list[training.Example], decided: list[Decision], full: bool
) -> None:
    pairs = list(zip(examples, decided, strict=True))
    print(f"\n{name}")
    for language in LANGUAGES:
        part = [(e, d) for e, d in pairs if e.language == language]
        if part:
            print(f"  {language:<4} {figures(part)}")
    print(f"  all  {figures(pairs)}")
    if full:
        for line in confusion(pairs):
            print(line)


def speed(classifier: Classifier, examples: list[training.Example], passes: int) -> float:
    """Seconds per message, best of three runs of ``passes`` passes (after one warm-up)."""
    register = Register()
    for example in examples:
        decide(classifier, register, example)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(passes):
            for example in examples:
                decide(classifier, register, example)
        best = min(best, (time.perf_counter() - start) / (passes * len(examples)))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3, help="passes over a set per speed run")
    parser.add_argument("--rules-only", action="store_true", help="without the shipped model")
    parser.add_argument("--confusion", action="store_true", help="print the category confusion")
    parser.add_argument("--no-blind", action="store_true", help="leave the blind set out")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.machine()}, {pin_one_core()}")
    start = time.perf_counter()
    settings = ClassifierSettings(model_file=REPO / "var" / "no-staff-model.pkl")
    classifier = Classifier(settings, use_model=False) if args.rules_only else Classifier(settings)
    load_ms = (time.perf_counter() - start) * 1000
    model = "rules only" if classifier.shipped is None else f"rules + {classifier.shipped.name}"
    print(f"classifier: {model}, loaded in {load_ms:.0f} ms")
    register = Register()
    refitted = Classifier(settings, use_model=not args.rules_only)
    if refitted.shipped is not None:
        refitted.shipped = build_model.without_held_out()
    sets = [
        ("tests/data/labelled.jsonl", corpus.labelled(), classifier),
        ("data/training hold-out (model refitted without it)", corpus.training(True), refitted),
    ]
    if not args.no_blind:
        sets.append(("tests/data/blind (never tuned on)", corpus.blind(), classifier))
        sets.append(("tests/data/blind-2 (never tuned on)", corpus.blind(second=True), classifier))
    for name, examples, reader in sets:
        if examples:
            decided = [decide(reader, register, e) for e in examples]
            report(name, examples, decided, args.confusion)
    everything = [e for _, examples, _ in sets for e in examples]
    per_item = speed(classifier, everything, args.passes)
    print(
        f"\nspeed, one core: {per_item * 1000:.3f} ms per message "
        f"({1 / per_item:.0f}/s, {len(everything)} messages x {args.passes} passes, best of 3)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
