"""The read-ahead helper's findings (language, decision, location) are what the steps find here."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from bench.corpus import generate
from daemon.classify.classifier import Classifier
from daemon.classify.language import detect
from daemon.classify.names import Register
from daemon.classify.written import for_rules, own_words
from daemon.config import EstateSettings
from daemon.intake.base import Incoming
from daemon.intake.readahead import ReadAhead, finder_from, finder_setup, read_ahead
from daemon.mail.attachments import AttachmentStore
from daemon.mail.compose import KIND_HEADER
from daemon.mail.reading import Unreadable, read
from handlers import classify, language, locate
from handlers.context import Item
from tests.mails import complaint
from tests.paths import REALWORLD, TESTS

CORPUS = TESTS / "corpus"
EXTRA_RULES = {"category": {"billing": {"en": ["zorblax^9"]}}}
ESTATES = [
    {"name": "Greenfield Court", "aliases": {"zh": ["法院路小区"]}, "buildings": ["Tower C"]}
]


@pytest.fixture
def settings(make_settings, tmp_path):
    made = make_settings(
        desk={"default_language": "es"},  # ties go to the desk's language: it must reach the helper
        classifier={"model_file": str(tmp_path / "no-model.pkl"), "extra_rules": EXTRA_RULES},
        service={"parse_helper": True},
    )
    made.estates = [EstateSettings(**estate) for estate in ESTATES]
    return made


def mixed_corpus() -> list[bytes]:
    """The benchmark's mix, our own corpus, other projects' real mail, and a few edge cases."""
    raws = [sample.raw for sample in generate(300)]
    raws += [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    raws += [
        p.read_bytes() for p in sorted(REALWORLD.rglob("*")) if p.is_file() and p.suffix != ".md"
    ]
    raws += [
        complaint("Our zorblax broke down in Block 3, Unit 1502.", subject="Zorblax"),
        complaint("12345", subject="", headers={"Content-Language": "zh-CN"}),
        complaint("ok", subject="?", headers={"Content-Language": "fr"}),
        complaint("电梯坏了" + "x" * 5000 + " the water and the unit", subject="电梯"),
        complaint("x " * 15000 + "Torre 2, 5ºB. El agua de mi piso", subject="Gotera"),
        complaint(
            "Gas smell in Tower C of Greenfield Court!\n\nOn Mon, 23 Nov 2026 at 10:31, Desk"
            " <desk@example.com> wrote:\n> The management fee invoice is attached.",
            subject="Re: fees",
        ),
        complaint("法院路小区3单元楼道里有煤气味。\n\n发自我的iPhone", subject="煤气"),
    ]
    return raws


def inline(reading, settings, classifier):
    """What the three steps compute without the helper (their expressions, verbatim); the
    decision is the rules' one, which the helper makes (the service weighs the model in)."""
    subject = reading.subject
    register = Register(ESTATES)
    written = own_words(reading.text, reading.content_language, subject)
    sample = f"{subject}\n{written[:4000]}"
    return (
        detect(sample, reading.content_language, settings.desk.default_language),
        classifier.rules.classify(*for_rules(register, subject, written, reading.sender_name)),
        register.locate(subject, written),
    )


def step_item(settings, classifier, reading, *, ahead: bool, channel: str = "email") -> Item:
    """An item as the parse step leaves it, with or without the helper's reading."""
    item = Item(
        raw_item=None,
        session=None,
        settings=settings,
        store=None,
        templates=None,
        classifier=classifier,
        calendar=None,
        channel=channel,
        reading=reading if ahead else None,
    )
    item.message, item.subject, item.text = reading.message, reading.subject, reading.text
    item.content_language = reading.content_language
    item.sender_name = reading.sender_name
    return item


def run_steps(item: Item) -> tuple:
    for step in (language, classify, locate):
        step.run(item)
    return item.language, item.decision, item.location


def test_the_helper_finds_what_the_steps_find_inline(settings):
    raws = mixed_corpus()
    assert len(raws) > 400
    ahead = ReadAhead(settings)
    try:
        readings = []
        for start in range(0, len(raws), 100):
            chunk = raws[start : start + 100]
            ahead.submit([Incoming(str(i), raw, len(raw)) for i, raw in enumerate(chunk)])
            readings += ahead.collect()
    finally:
        ahead.close()
    classifier = Classifier(settings.classifier)
    store = AttachmentStore(settings.storage.attachments_dir, 10**8)
    compared = decisions = located = estates = 0
    languages = set()
    for raw, reading in zip(raws, readings, strict=True):
        if reading is None:  # not mail: the pipeline reads it again and quarantines it
            with pytest.raises(Unreadable):
                read(raw, store)
            continue
        found = reading.findings
        assert found is not None and found.decision is not None
        language_here, decision_here, location_here = inline(reading, settings, classifier)
        assert (found.language, found.decision, found.location) == (
            language_here,
            decision_here,
            location_here,
        )
        here = run_steps(step_item(settings, classifier, reading, ahead=False))
        assert run_steps(step_item(settings, classifier, reading, ahead=True)) == here
        compared += 1
        languages.add(found.language)
        decisions += found.decision.category == "billing" and "zorblax" in str(found.decision)
        located += found.location is not None
        estates += (found.location or {}).get("estate") == "Greenfield Court"
        if "Tower C of Greenfield" in reading.text:
            assert found.decision.category == "repair" and found.decision.severity == "major"
            assert "fee" not in found.written and found.location["building"] == "C"
    assert compared > 300 and located > 100 and decisions == 1 and estates == 2
    assert languages == {"zh", "es", "en"}


def test_oversize_mail_has_no_findings(settings):
    finder = finder_from(finder_setup(settings))
    raw = complaint("The lift is stuck.")
    store = AttachmentStore(settings.storage.attachments_dir, 10**8)
    assert read_ahead(raw, True, store, finder).findings is None
    assert read_ahead(raw, False, store, finder).findings.language == "en"
    assert read_ahead(b"", False, store, finder) is None


def test_the_owner_choice_changes_the_item_not_the_helper_reading(settings):
    classifier = Classifier(settings.classifier)
    finder = finder_from(finder_setup(settings))
    raw = complaint("The lift is stuck again.", headers={KIND_HEADER: "suggestion"})
    store = AttachmentStore(settings.storage.attachments_dir, 10**8)
    reading = pickle.loads(pickle.dumps(read_ahead(raw, False, store, finder)))
    before = pickle.dumps(reading.findings.decision)
    for _ in range(2):  # a batch that fails is run again carefully, with the same readings
        item = step_item(settings, classifier, reading, ahead=True, channel="web")
        classify.run(item)
        assert item.decision.kind == "suggestion"
        assert item.decision.reasons.count("owner chose kind suggestion") == 1
    assert pickle.dumps(reading.findings.decision) == before


def test_with_a_trained_model_the_service_adds_it_to_the_helper_rules(settings, tmp_path):
    settings.classifier.model_file = tmp_path / "model.pkl"
    settings.classifier.model_file.write_bytes(b"a model")
    finder = finder_from(finder_setup(settings))
    assert finder.rules is not None
    store = AttachmentStore(settings.storage.attachments_dir, 10**8)
    reading = read_ahead(complaint("Water leaks from the ceiling."), False, store, finder)
    assert reading.findings.decision.category == "repair" and reading.findings.language == "en"

    class ModelClassifier:
        model = {"fields": {}}

        def with_model(self, decision, subject: str, text: str):
            assert text == "Water leaks from the ceiling."
            return f"the model on the rules' {decision.category}"

    item = step_item(settings, ModelClassifier(), reading, ahead=True)
    classify.run(item)
    assert item.decision == "the model on the rules' repair"


def test_a_rules_file_changed_since_the_service_read_it_is_not_used(settings, tmp_path):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text('[category.repair]\nen = ["leak*^2"]\n', encoding="utf-8")
    settings.classifier.rules_file = rules_file
    setup = finder_setup(settings)
    assert finder_from(setup).rules is not None
    rules_file.write_text('[category.billing]\nen = ["leak*^2"]\n', encoding="utf-8")
    assert finder_from(setup).rules is None  # the service classifies, with the rules it read


def test_the_helper_loads_no_configuration_database_or_model_code(settings):
    setup = finder_setup(settings)
    batch = [(sample.raw, False) for sample in generate(20)]
    helper = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "daemon.intake.readahead"]
        + [str(settings.storage.attachments_dir), "100000000"],
        input=pickle.dumps(setup) + pickle.dumps(batch),
        capture_output=True,
        check=True,
    )
    loaded = {
        line.rpartition("|")[2].strip()
        for line in helper.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    assert {
        "daemon.classify.decision",
        "daemon.classify.rules",
        "daemon.classify.location",
    } <= loaded
    heavy = ("pydantic", "sqlalchemy", "sklearn", "numpy", "jinja2", "daemon.config", "handlers")
    assert not {name for name in loaded if name.split(".")[0] in heavy or name in heavy}
    assert pickle.loads(helper.stdout).findings.decision is not None
