"""The model shipped with the package is loaded by default, read with numpy alone, weighed with
the rules (never losing a rules major) and can be switched off; admins extend the hazard
families in the configuration."""

from __future__ import annotations

import subprocess
import sys

from daemon.classify.classifier import Classifier
from daemon.classify.combine import combine
from daemon.classify.decision import Decision
from daemon.classify.shipped import DEFAULT_MODEL
from daemon.config import ClassifierSettings


def test_the_shipped_model_is_loaded_by_default_and_can_be_switched_off(tmp_path):
    missing = tmp_path / "none.pkl"
    shipped = Classifier(ClassifierSettings(model_file=missing))
    assert shipped.shipped is not None and DEFAULT_MODEL.stat().st_size < 3 * 1024 * 1024
    decision = shipped.classify("Lift", "The lift in our block has been broken for a week.")
    assert decision.source == "rules+model" and decision.category == "property_service"
    rules_only = Classifier(ClassifierSettings(model_file=missing, shipped_model=False))
    assert rules_only.shipped is None
    assert rules_only.classify("Lift", "The lift is broken.").source == "rules"


def test_reading_the_model_needs_no_scikit_learn():
    code = (
        "import sys; from daemon.classify import shipped; m = shipped.load(); "
        "p = m.probabilities('gas smell in the stairwell'); "
        "assert abs(sum(p['category'].values()) - 1) < 1e-6; "
        "assert 'sklearn' not in sys.modules, 'sklearn loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_rules_major_is_never_lost_to_the_model():
    for probability in (0.0, 0.2, 0.9):
        decision = Decision("complaint", "repair", "major", scores={"danger": {"major": 6.0}})
        model = {"severity": {"general": 1 - probability, "important": 0.0, "major": probability}}
        combine(decision, model)
        assert decision.severity == "major" or decision.possible_major


def test_admins_extend_a_hazard_family(tmp_path):
    text = ("Garage", "The garage smells like a gas station since this morning.")
    plain = ClassifierSettings(model_file=tmp_path / "none.pkl", shipped_model=False)
    assert Classifier(plain).classify(*text).severity != "major"
    extra = {"hazard": {"gas": {"en": ["gas station^6"]}}}
    extended = plain.model_copy(update={"extra_rules": extra})
    decision = Classifier(extended).classify(*text)
    assert decision.severity == "major" and "hazard.gas:gas station^6" in decision.reasons


def test_the_model_adds_a_possible_major_unless_the_owner_said_there_is_none():
    model = {"severity": {"general": 0.1, "important": 0.0, "major": 0.9}}
    unseen = Decision("complaint", "repair", "general", scores={"danger": {"major": 0.0}})
    assert combine(unseen, model).possible_major and unseen.severity == "general"
    denied = Decision(
        "complaint", "repair", "general", scores={"danger": {"major": 0.0, "negated": 1}}
    )
    assert not combine(denied, model).possible_major


def test_weak_evidence_in_the_rules_is_a_possible_major(tmp_path):
    settings = ClassifierSettings(model_file=tmp_path / "none.pkl", shipped_model=False)
    weak = Classifier(settings).classify(
        "Unwell", "Since yesterday I feel dizzy and have a headache."
    )
    assert weak.severity != "major" and weak.possible_major
    strong = Classifier(settings).classify("Boiler", "The CO alarm went off and we feel dizzy.")
    assert strong.severity == "major" and not strong.possible_major


def test_weak_evidence_the_model_is_near_sure_of_is_a_major():
    def weak_with(probability):
        decision = Decision("complaint", "repair", "general", scores={"danger": {"major": 4.0}})
        decision.possible_major = True
        model = {"severity": {"general": 1 - probability, "important": 0.0, "major": probability}}
        return combine(decision, model)

    sure = weak_with(0.95)
    assert sure.severity == "major" and not sure.possible_major
    unsure = weak_with(0.6)
    assert unsure.severity == "general" and unsure.possible_major


def test_praise_that_names_a_danger_goes_to_a_person_not_to_the_gm():
    decision = Decision("praise", "repair", "major", scores={"danger": {"major": 6.0}})
    combine(decision, {"severity": {"general": 0.2, "important": 0.1, "major": 0.7}})
    assert decision.severity != "major" and decision.possible_major
