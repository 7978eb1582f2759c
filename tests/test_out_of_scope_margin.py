"""The out-of-scope margin (``out_of_scope.choose_margin``, ``LinearIntentClassifier``): data with
out_of_scope examples decides by log P(out_of_scope) - log P(best intent), chosen by CV."""

from __future__ import annotations

import numpy as np
import pytest

from empathy_nlu import Classifier, Example
from empathy_nlu.errors import ModelError
from empathy_nlu.intent_classifier.linear import LinearIntentClassifier
from empathy_nlu.intent_classifier.out_of_scope import choose_margin

OOS = 2


def test_margin_zero_when_rejecting_more_only_costs_in_scope_accuracy():
    margin = np.array([-5.0, -4.0, -1.0, -0.5, 0.5])
    gold = np.array([0, 1, 0, 1, OOS])
    predicted = np.array([0, 1, 0, 1, 0])
    assert choose_margin(margin, predicted, gold, OOS, 0.0) == 0.0


def test_margin_reaches_down_to_the_out_of_scope_rows_within_the_budget():
    in_scope = np.linspace(-9.0, -3.0, 100)  # confident in-scope rows, all right
    margin = np.concatenate([in_scope, [-2.0, -1.5, 0.5]])
    gold = np.array([0] * 100 + [OOS] * 3)
    predicted = np.array([0] * 103)
    chosen = choose_margin(margin, predicted, gold, OOS, 0.01)
    assert -3.0 < chosen <= -2.0  # rejects all three out-of-scope rows and no in-scope one
    tight = choose_margin(
        np.concatenate([[-1.0], margin]), np.zeros(104, int), np.concatenate([[0], gold]), OOS, 0.0
    )
    assert tight > -1.0  # the in-scope row at -1.0 may not be lost with no budget


def examples() -> list[Example]:
    rows = {
        "lost_card": ["I lost my card", "my card was stolen", "can't find my bank card", "card gone missing",
                      "someone took my card", "my debit card is lost"],
        "refund": ["I want my money back", "refund my order", "how do I get a refund", "return and refund",
                   "money back please", "refund the charge"],
        "out_of_scope": ["what's the weather", "tell me a joke", "who won the match", "play some music",
                         "what time is it in Tokyo", "recommend a film"],
    }  # fmt: skip
    return [Example(text=t, intent=i) for i, texts in rows.items() for t in texts]


def test_a_model_with_out_of_scope_examples_uses_the_margin_and_keeps_it_when_saved(tmp_path):
    model = Classifier.train(examples() * 3)
    intent = model.components["intent"].model_
    assert intent.oos_margin_ is not None and intent.oos_margin_ <= 0.0 and intent.threshold_ == 0.0
    assert model.manifest["metrics"]["intent_cross_validation"]["oos_margin"] == intent.oos_margin_
    loaded = Classifier.load(model.save(tmp_path / "m"))
    assert loaded.components["intent"].model_.oos_margin_ == intent.oos_margin_
    for text in ["tell me a joke about the weather", "I lost my card", "refund please"]:
        assert loaded.predict(text).to_dict() == model.predict(text).to_dict()
    assert loaded.predict("tell me a joke about the weather").out_of_scope


def test_the_margin_decides_an_answer_whose_top_is_an_intent():
    model = LinearIntentClassifier()
    model.labels_, model.oos_index_, model.threshold_ = ["a", "b", "out_of_scope"], 2, 0.0
    model.oos_margin_ = -1.0
    close = model._decide([0, 2, 1], [0.5, 0.3, 0.2], True, float(np.log(0.3) - np.log(0.5)))
    far = model._decide([0, 1, 2], [0.9, 0.08, 0.02], True, float(np.log(0.02) - np.log(0.9)))
    assert (close.out_of_scope, close.reason) == (True, "low_confidence")
    assert (far.out_of_scope, far.reason) == (False, None)


def test_a_saved_margin_out_of_range_is_refused():
    model = Classifier.train(examples() * 3)
    state, arrays = model.components["intent"].model_.to_state()
    state["oos_margin"] = 3.0
    with pytest.raises(ModelError) as caught:
        LinearIntentClassifier.from_state(state, arrays)
    assert caught.value.code == "E240"
