"""Classifier benchmark: accuracy on the hand-labelled set, and speed on one core.

Run from the repository root::

    .venv/bin/python bench/classify.py                  # rules, and rules + a model (3 fields)
    .venv/bin/python bench/classify.py --passes 5 --no-model
    .venv/bin/python bench/classify.py --split          # also the even/odd id halves

What it prints:

1. Accuracy of the rules on ``tests/data/labelled.jsonl`` (296 messages): category, kind,
   severity, and recall and precision of "major"; with ``--split`` also per half of the ids
   (even / odd numbers), the halves used to tune and check the rules.
2. Speed on one core (the process is pinned to one CPU and BLAS to one thread): ``--passes``
   passes over the set through ``Classifier.classify(subject, body)``, items/s and ms per item,
   and that cost as a share of the pipeline's time per item (``--pipeline-ms``, the measured
   10-25 ms by default; goal: the classifier costs at most 10 % of it).
3. The same with a model for all three fields, fitted here on the labelled set the way
   ``complaintd classifier train`` fits it, but kept regardless of accuracy: the worst case,
   three ``predict_proba`` calls per item. (Accuracy of that model is not shown: it has seen
   the whole set.)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from daemon import training  # noqa: E402
from daemon.classify.classifier import Classifier  # noqa: E402
from daemon.config import ClassifierSettings  # noqa: E402

LABELLED = REPO / "tests" / "data" / "labelled.jsonl"


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def accuracy_lines(
    name: str, examples: list[training.Example], classifier: Classifier
) -> list[str]:
    report = training.evaluate(examples, classifier)
    major = report["major"]
    recall = "-" if major["recall"] is None else f"{major['recall']:.1%}"
    precision = "-" if major["precision"] is None else f"{major['precision']:.1%}"
    return [
        f"{name:<10} n={len(examples):<4} category {report['category']['accuracy']:6.1%}   "
        f"kind {report['kind']['accuracy']:6.1%}   "
        f"severity {report['severity']['accuracy']:6.1%}   "
        f"major recall {recall} ({major['support'] - major['missed']}/{major['support']}) "
        f"precision {precision}"
    ]


def speed(classifier: Classifier, examples: list[training.Example], passes: int) -> float:
    """Seconds per item, best of three runs of ``passes`` passes each (after one warm-up)."""
    items = [(e.subject, e.body) for e in examples]
    for subject, body in items:
        classifier.classify(subject, body)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(passes):
            for subject, body in items:
                classifier.classify(subject, body)
        best = min(best, (time.perf_counter() - start) / (passes * len(items)))
    return best


def speed_lines(name: str, per_item: float, pipeline_ms: list[float]) -> list[str]:
    ms = per_item * 1000
    shares = ", ".join(f"{ms / p:.1%} of {p:g} ms" for p in pipeline_ms)
    verdict = "PASS" if ms / min(pipeline_ms) <= 0.10 else "FAIL"
    return [f"{name:<20} {1 / per_item:9.0f} items/s   {ms:7.3f} ms/item   {shares}   {verdict}"]


def model_classifier(examples: list[training.Example], directory: Path) -> Classifier:
    by_field = {name: [e for e in examples if name in e.labels] for name in training.FIELDS}
    fields = training.refit(examples, by_field)
    path = directory / "bench-model.pkl"
    training.save({"fields": fields, "metrics": {}, "trained_at": "bench"}, path)
    return Classifier(ClassifierSettings(model_file=path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=LABELLED)
    parser.add_argument("--passes", type=int, default=20, help="passes over the set per run")
    parser.add_argument(
        "--pipeline-ms",
        type=float,
        nargs="+",
        default=[10.0, 25.0],
        help="the pipeline's time per item to compare with (ms)",
    )
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--split", action="store_true", help="accuracy per even/odd id half")
    args = parser.parse_args()

    pinned = pin_one_core()
    print(f"python {platform.python_version()} on {platform.machine()}, {pinned}")
    examples = training.from_jsonl(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        rules = Classifier(ClassifierSettings(model_file=Path(tmp) / "none.pkl"))
        load_ms = (time.perf_counter() - start) * 1000
        print(f"\naccuracy of the rules on {args.data.name}")
        for line in accuracy_lines("all", examples, rules):
            print(line)
        if args.split:
            for half, parity in (("even ids", 0), ("odd ids", 1)):
                part = [e for e in examples if _number(e) % 2 == parity]
                for line in accuracy_lines(half, part, rules):
                    print(line)

        print(f"\nspeed, one core, {args.passes} passes x {len(examples)} items, best of 3")
        print(f"loading the rules: {load_ms:.1f} ms (once per process)")
        for line in speed_lines("rules", speed(rules, examples, args.passes), args.pipeline_ms):
            print(line)
        if not args.no_model:
            start = time.perf_counter()
            with_model = model_classifier(examples, Path(tmp))
            fit_s = time.perf_counter() - start
            per_item = speed(with_model, examples, args.passes)
            print(f"(model for 3 fields fitted in {fit_s:.1f} s, incl. importing scikit-learn)")
            for line in speed_lines("rules + model (3)", per_item, args.pipeline_ms):
                print(line)
    return 0


def _number(example: training.Example) -> int:
    tail = example.source.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


if __name__ == "__main__":
    sys.exit(main())
