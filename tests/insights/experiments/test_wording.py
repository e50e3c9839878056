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

    assert sentence.startswith(f"In your experiment, {design.with_days} had 1.8 times as many episodes as ")
    assert design.without_days in sentence and "90% interval 1.2 to 2.9" in sentence
    assert "not a diagnosis" in sentence and "cause" not in sentence
    assert "rate ratio 1.84" in clinician_sentence(experiment, payload(significant=True))


@pytest.mark.parametrize("trigger", list(DESIGNS))
def test_an_unclear_result_says_it_could_be_chance_and_a_stopped_one_says_it_stopped(trigger):
    experiment = Experiment(trigger=trigger, label=DESIGNS[trigger].label)

    sentence = result_sentence(experiment, payload(significant=False, stopped=True))

    assert sentence.startswith("You stopped this experiment early, after 30 of 42 days.")
    assert "could well be chance" in sentence and "cause" not in sentence
