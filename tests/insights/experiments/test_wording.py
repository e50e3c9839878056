"""What a result says, for every design: what the experiment showed, never a cause or a diagnosis."""

from __future__ import annotations

import pytest

from diary.models import Experiment
from insights.analysis.experiment_designs import DESIGNS
from insights.experiments.presenters import clinician_sentence, result_sentence


def payload(*, significant: bool, enough: bool = True, stopped: bool = False) -> dict:
    return {
        "stopped_early": stopped,
        "days_planned": 42,
        "days_run": 30 if stopped else 42,
        "itt": {
            "n_with": 18,
            "n_without": 17,
            "rate_ratio": 1.84,
            "ci_low": 1.21 if significant else 0.8,
            "ci_high": 2.9,
            "p_value": 0.012 if significant else 0.2,
            "significant": significant,
            "enough": enough,
        },
        "per_protocol": {"rate_ratio": 2.1, "n_with": 16, "n_without": 14},
    }


@pytest.mark.parametrize("trigger", list(DESIGNS))
def test_a_clear_result_says_what_the_experiment_showed_with_its_interval(trigger):
    design = DESIGNS[trigger]
    experiment = Experiment(trigger=trigger, label=design.label)

    sentence = result_sentence(experiment, payload(significant=True))

    assert sentence.startswith(f"What it showed: in your experiment, {design.with_days} had 1.8 times as many ")
    assert design.without_days in sentence and "90% interval 1.2 to 2.9" in sentence
    assert "not a diagnosis" in sentence and "cause" not in sentence
    assert "rate ratio 1.84" in clinician_sentence(experiment, payload(significant=True))


@pytest.mark.parametrize("trigger", list(DESIGNS))
def test_an_unclear_result_says_it_could_be_chance_and_a_stopped_one_says_it_stopped(trigger):
    experiment = Experiment(trigger=trigger, label=DESIGNS[trigger].label)

    sentence = result_sentence(experiment, payload(significant=False, stopped=True))

    assert sentence.startswith("You stopped this experiment early, after 30 of 42 days.")
    assert "could well be chance" in sentence and "cause" not in sentence
    # What it could not rule out, and what to do next: never read as "this trigger isn't it".
    assert "What it could not rule out: anything from " in sentence
    assert "does not show that" in sentence and "What next: a longer experiment" in sentence


def test_a_narrow_unclear_result_says_a_large_effect_is_unlikely_and_only_then_to_stop_worrying():
    experiment = Experiment(trigger="caffeine", label="Caffeine")
    narrow = payload(significant=False)
    narrow["itt"] = {**narrow["itt"], "rate_ratio": 1.05, "ci_low": 0.8, "ci_high": 1.3}
    sentence = result_sentence(experiment, narrow)
    assert "a large effect on your twitching is unlikely" in sentence
    assert "need not change" in sentence
    wide = result_sentence(experiment, payload(significant=False))
    assert "need not change" not in wide and "a doubling or more" in wide
