"""Learning from staff corrections: fit a model per field, keep it only where it beats the rules.

Labelled examples come from the corrections table (the latest label per ticket and field; a
confirmation, old == new, counts too) and from labelled JSONL files (``tests/data`` format:
subject, body, kind, category, severity). Fields nobody corrected or confirmed are not used:
they are the classifier's own output, and learning from them would only teach the model to
copy the rules, mistakes included.

Per field (category, kind, severity) a scikit-learn pipeline of character n-grams (they work
for Chinese, which has no spaces, and for typos and missing accents) and a logistic regression
is fitted on 80 % of the examples. On the other 20 % (stratified,
fixed seed) the rules alone are compared with the rules plus the model where it is confident
(as the classifier uses it). A field's model is kept only if that is more accurate; it is then
refitted on all examples, the kept fields sharing one vectorizer.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.classify.classifier import MODEL_LABELS, Classifier, overrides
from daemon.clock import utcnow
from daemon.config import ClassifierSettings
from daemon.store.models import Correction

FIELDS = ("category", "kind", "severity")
MIN_EXAMPLES = 30
"""Fewer labelled examples than this for a field: rules only."""
MIN_PER_CLASS = 2
"""A class with fewer examples is left out of the model (it cannot be both learnt and tested)."""
HELD_OUT = 0.2
SEED = 0


class DataError(ValueError):
    """A labelled file that cannot be used; the message names the file and line."""


@dataclass
class Example:
    subject: str
    body: str
    labels: dict[str, str]
    language: str | None = None
    source: str = ""

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}"


@dataclass
class FieldResult:
    name: str
    examples: int
    held_out: int = 0
    rules_accuracy: float | None = None
    model_accuracy: float | None = None
    combined_accuracy: float | None = None
    kept: bool = False
    note: str = ""
    dropped_classes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "held_out": self.held_out,
            "rules_accuracy": self.rules_accuracy,
            "model_accuracy": self.model_accuracy,
            "rules_model_accuracy": self.combined_accuracy,
            "kept": self.kept,
            "note": self.note,
            "dropped_classes": self.dropped_classes,
        }


# --- labelled data ---------------------------------------------------------------------------


def split_text(text: str) -> tuple[str, str]:
    """Subject and body back from a correction's "subject\\nbody" text."""
    subject, _, body = text.partition("\n")
    return subject, body


def from_corrections(session: Session) -> list[Example]:
    """One example per corrected ticket, with the latest label of each corrected field."""
    rows = session.scalars(select(Correction).order_by(Correction.at, Correction.id))
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row.field not in FIELDS:
            continue
        entry = latest.setdefault(row.ticket_id, {"labels": {}})
        entry["labels"][row.field] = row.new
        entry["text"] = row.text
        entry["language"] = row.language
    examples = []
    for ticket_id, entry in latest.items():
        # "hot" comes from counting tickets, not from a message's words: not a label to learn
        labels = {k: v for k, v in entry["labels"].items() if v in MODEL_LABELS[k]}
        if labels:
            subject, body = split_text(entry["text"])
            examples.append(
                Example(subject, body, labels, entry["language"], f"ticket {ticket_id}")
            )
    return examples


def from_jsonl(path: Path) -> list[Example]:
    """Labelled messages, one JSON object a line, with subject, body and any of the fields."""
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "body" not in row:
            raise DataError(f"{path}:{number}: needs an object with at least a body")
        labels = {}
        for name in FIELDS:
            value = row.get(name)
            if value is None:
                continue
            if value not in MODEL_LABELS[name]:
                known = ", ".join(MODEL_LABELS[name])
                raise DataError(f"{path}:{number}: unknown {name} {value!r}; known: {known}")
            labels[name] = value
        examples.append(
            Example(
                str(row.get("subject") or ""),
                str(row["body"]),
                labels,
                row.get("language"),
                f"{path.name}:{row.get('id', number)}",
            )
        )
    return examples


# --- metrics ---------------------------------------------------------------------------------


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Accuracy and per-class precision, recall, F1 and support."""
    classes: dict[str, dict[str, float]] = {}
    for label in sorted(set(truth) | set(predicted)):
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == label != t)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label != p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return {"accuracy": correct / len(truth) if truth else 0.0, "n": len(truth), "classes": classes}


def major(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Recall and precision of "major", the severity that must never be missed."""
    pairs = list(zip(truth, predicted, strict=True))
    tp = sum(1 for t, p in pairs if t == p == "major")
    support = sum(1 for t, _ in pairs if t == "major")
    flagged = sum(1 for _, p in pairs if p == "major")
    return {
        "recall": tp / support if support else None,
        "precision": tp / flagged if flagged else None,
        "support": support,
        "missed": support - tp,
        "false_alarms": flagged - tp,
    }


def evaluate(examples: list[Example], classifier: Classifier) -> dict[str, Any]:
    """Per-field scores of what the classifier decides, on examples labelled for that field."""
    decisions = [classifier.classify(e.subject, e.body) for e in examples]
    result: dict[str, Any] = {}
    for name in FIELDS:
        pairs = [
            (e.labels[name], getattr(d, name))
            for e, d in zip(examples, decisions, strict=True)
            if name in e.labels
        ]
        truth = [t for t, _ in pairs]
        predicted = [p for _, p in pairs]
        result[name] = scores(truth, predicted)
        if name == "severity":
            result["major"] = major(truth, predicted)
    return result


# --- training --------------------------------------------------------------------------------


def make_vectorizer() -> Any:
    """Character 1-3-grams within words: Chinese needs no spaces, typos and accents matter less."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, strip_accents="unicode"
    )


def make_estimator() -> Any:
    """Logistic regression: its probabilities are fitted as probabilities (log loss), so the
    classifier's confidence threshold means something; classes weighted by their rarity."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=1000, class_weight="balanced")


def make_pipeline(vectorizer: Any = None, estimator: Any = None) -> Any:
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [("ngrams", vectorizer or make_vectorizer()), ("model", estimator or make_estimator())]
    )


def refit(examples: list[Example], labels_by_field: dict[str, list[Example]]) -> dict[str, Any]:
    """Final pipelines on all examples, sharing one fitted vectorizer (one transform per item)."""
    vectorizer = make_vectorizer().fit([e.text for e in examples])
    fields = {}
    for name, usable in labels_by_field.items():
        estimator = make_estimator().fit(
            vectorizer.transform([e.text for e in usable]), [e.labels[name] for e in usable]
        )
        fields[name] = make_pipeline(vectorizer, estimator)
    return fields


def _split(count: int, labels: list[str]) -> tuple[list[int], list[int]]:
    from sklearn.model_selection import train_test_split

    indices = list(range(count))
    per_class = Counter(labels)
    test_size = max(1, round(count * HELD_OUT))
    stratify = labels if min(per_class.values()) >= 2 and test_size >= len(per_class) else None
    train, test = train_test_split(
        indices, test_size=test_size, random_state=SEED, stratify=stratify
    )
    return list(train), list(test)


def fit_field(
    name: str,
    examples: list[Example],
    rules_only: Classifier,
    min_confidence: float,
) -> tuple[FieldResult, list[Example] | None]:
    """The held-out comparison for one field; if the model is kept, the examples to refit on."""
    labelled = [e for e in examples if name in e.labels]
    counts = Counter(e.labels[name] for e in labelled)
    rare = sorted(label for label, n in counts.items() if n < MIN_PER_CLASS)
    usable = [e for e in labelled if e.labels[name] not in rare]
    result = FieldResult(name, len(labelled), dropped_classes=rare)
    classes = {e.labels[name] for e in usable}
    if len(usable) < MIN_EXAMPLES or len(classes) < 2:
        why = f"{len(usable)} usable examples" if len(classes) >= 2 else "only one class"
        result.note = f"too few to learn from ({why}; need {MIN_EXAMPLES} in 2+ classes)"
        return result, None
    labels = [e.labels[name] for e in usable]
    train, test = _split(len(usable), labels)
    pipeline = make_pipeline()
    pipeline.fit([usable[i].text for i in train], [labels[i] for i in train])
    held = [usable[i] for i in test]
    truth = [labels[i] for i in test]
    by_rules = [getattr(rules_only.classify(e.subject, e.body), name) for e in held]
    probabilities = pipeline.predict_proba([e.text for e in held])
    by_model = [str(pipeline.classes_[row.argmax()]) for row in probabilities]
    combined = []
    for rule_label, row in zip(by_rules, probabilities, strict=True):
        best = row.argmax()
        label, confidence = str(pipeline.classes_[best]), float(row[best])
        chosen = overrides(name, rule_label, label, confidence, min_confidence)
        combined.append(chosen or rule_label)
    result.held_out = len(held)
    result.rules_accuracy = _accuracy(truth, by_rules)
    result.model_accuracy = _accuracy(truth, by_model)
    result.combined_accuracy = _accuracy(truth, combined)
    if result.combined_accuracy <= result.rules_accuracy:
        result.note = "not more accurate than the rules on the held-out part"
        return result, None
    if name == "severity" and (major(truth, combined)["missed"] > major(truth, by_rules)["missed"]):
        result.note = "misses a major the rules find"
        return result, None
    result.kept = True
    result.note = "kept; refitted on all examples"
    return result, usable


def _accuracy(truth: list[str], predicted: list[str]) -> float:
    return sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth)


def train(
    examples: list[Example],
    settings: ClassifierSettings,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fit, compare, and save the model file (also when no field is kept: then rules only)."""
    rules_only = Classifier(settings, use_model=False)
    kept: dict[str, list[Example]] = {}
    results: dict[str, FieldResult] = {}
    for name in FIELDS:
        result, usable = fit_field(name, examples, rules_only, settings.model_min_confidence)
        results[name] = result
        if usable is not None:
            kept[name] = usable
    fields = refit(examples, kept) if kept else {}
    model = {
        "fields": fields,
        "metrics": {name: result.as_dict() for name, result in results.items()},
        "trained_at": utcnow().isoformat(),
        "examples": len(examples),
        "min_confidence": settings.model_min_confidence,
    }
    save(model, settings.model_file)
    for line in table(results.values()):
        out(line)
    kept = ", ".join(fields) or "none (rules only)"
    out(f"model file {settings.model_file}: models kept for {kept}")
    return model


def table(results: Iterable[FieldResult]) -> list[str]:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    lines = [
        f"{'field':<9} {'examples':>8} {'held-out':>8} {'rules':>7} {'model':>7} "
        f"{'rules+model':>11}  result"
    ]
    for r in results:
        note = r.note
        if r.dropped_classes:
            note += f" (left out, < {MIN_PER_CLASS} examples: {', '.join(r.dropped_classes)})"
        lines.append(
            f"{r.name:<9} {r.examples:>8} {r.held_out:>8} {pct(r.rules_accuracy):>7} "
            f"{pct(r.model_accuracy):>7} {pct(r.combined_accuracy):>11}  {note}"
        )
    return lines


def save(model: dict[str, Any], path: Path) -> None:
    """Write the pickle next to its final name, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o644)  # like any file the admin writes; mkstemp makes it 0600
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- command line ----------------------------------------------------------------------------


def train_command(settings: Any, db: Any, files: list[Path]) -> int:
    """``complaintd classifier train [--data FILE.jsonl ...]``."""
    try:
        from_files = [example for path in files for example in from_jsonl(path)]
    except DataError as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return 2
    with db.transaction() as session:
        corrected = from_corrections(session)
    print(f"labelled examples: {len(corrected)} from corrections, {len(from_files)} from files")
    try:
        train(corrected + from_files, settings.classifier)
    except ImportError as exc:
        print(f"complaintd: classifier train needs scikit-learn ({exc})", file=sys.stderr)
        return 1
    return 0


def evaluate_command(settings: Any, file: Path, as_json: bool) -> int:
    """``complaintd classifier evaluate FILE.jsonl [--json]``: rules, and rules+model if any."""
    try:
        examples = from_jsonl(file)
    except DataError as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return 2
    if not examples:
        print(f"complaintd: {file} has no examples", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "file": str(file),
        "examples": len(examples),
        "rules": evaluate(examples, Classifier(settings.classifier, use_model=False)),
    }
    with_model = Classifier(settings.classifier)
    if with_model.model is not None:
        report["rules+model"] = evaluate(examples, with_model)
        report["model"] = {
            "file": str(settings.classifier.model_file),
            "fields": sorted(with_model.model["fields"]),
            "trained_at": with_model.model.get("trained_at"),
        }
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for line in evaluation_text(report):
        print(line)
    return 0


def evaluation_text(report: dict[str, Any]) -> list[str]:
    systems = [name for name in ("rules", "rules+model") if name in report]
    lines = [f"{report['file']}: {report['examples']} examples"]
    if "model" in report:
        model = report["model"]
        fields = ", ".join(model["fields"])
        lines.append(f"model {model['file']} (trained {model['trained_at']}) for {fields}")
    for name in FIELDS:
        lines.append("")
        accuracy = "   ".join(
            f"{system} {report[system][name]['accuracy']:.1%}" for system in systems
        )
        lines.append(f"{name}: accuracy {accuracy}  (n={report['rules'][name]['n']})")
        header = f"  {'class':<22}" + "".join(
            f" {system + ' P':>13} {'R':>6} {'F1':>6}" for system in systems
        )
        lines.append(header + f" {'support':>8}")
        labels = sorted(set().union(*(report[system][name]["classes"] for system in systems)))
        for label in labels:
            row = f"  {label:<22}"
            support = 0
            for system in systems:
                got = report[system][name]["classes"].get(label)
                if got is None:
                    row += f" {'-':>13} {'-':>6} {'-':>6}"
                    continue
                support = int(got["support"])
                row += f" {got['precision']:>13.1%} {got['recall']:>6.1%} {got['f1']:>6.1%}"
            lines.append(row + f" {support:>8}")
    lines.append("")
    for system in systems:
        m = report[system]["major"]
        recall = "-" if m["recall"] is None else f"{m['recall']:.1%}"
        precision = "-" if m["precision"] is None else f"{m['precision']:.1%}"
        lines.append(
            f"major ({system}): recall {recall} ({m['support'] - m['missed']}/{m['support']}), "
            f"precision {precision}, {m['false_alarms']} false alarm(s)"
        )
    return lines
