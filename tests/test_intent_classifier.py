import numpy as np
import pytest

from empathy_nlu.calibration import expected_calibration_error, fit_temperature, softmax
from empathy_nlu.errors import DataError, NotFittedError
from empathy_nlu.features import SparseFeaturizer
from empathy_nlu.intent_classifier import LinearIntentClassifier
from empathy_nlu.intent_classifier.out_of_scope import choose_threshold
from empathy_nlu.preprocessing import preprocess

TEXTS = {
    "lost_card": [
        "i lost my card",
        "my card is gone",
        "cannot find my card anywhere",
        "card lost yesterday",
        "i think i lost the card",
        "where did my card go, lost it",
    ],
    "refund": [
        "i want a refund",
        "give me my money back",
        "refund please",
        "how do i get a refund",
        "i need a refund for this order",
        "money back for the broken item",
    ],
    "greeting": ["hello", "hi there", "good morning", "hey", "hello team", "hi, good afternoon"],
}
DOCS = [preprocess(t) for texts in TEXTS.values() for t in texts]
LABELS = [label for label, texts in TEXTS.items() for _ in texts]
FEATURIZER = SparseFeaturizer().fit(DOCS)
X = FEATURIZER.transform(DOCS)


def features(text):
    doc = preprocess(text)
    return (*FEATURIZER.transform_one(doc), FEATURIZER.knows_any_word(doc))


def test_featurizer_single_and_batch_agree():
    featurizer = SparseFeaturizer().fit(DOCS)
    matrix = featurizer.transform(DOCS).toarray()
    for row, doc in enumerate(DOCS):
        idx, vals = featurizer.transform_one(doc)
        dense = np.zeros(featurizer.n_features_, np.float32)
        dense[idx] = vals
        np.testing.assert_allclose(dense, matrix[row], rtol=1e-5, atol=1e-6)
        # two L2-normalized blocks (words, characters)
        assert np.linalg.norm(matrix[row]) == pytest.approx(np.sqrt(2), rel=1e-4)


def test_featurizer_state_round_trip_and_unknown_words():
    featurizer = SparseFeaturizer(min_df=1).fit(DOCS)
    state, arrays = featurizer.to_state()
    again = SparseFeaturizer.from_state(state, arrays)
    for doc in DOCS:
        np.testing.assert_array_equal(featurizer.transform_one(doc)[0], again.transform_one(doc)[0])
    idx, _ = featurizer.transform_one(preprocess("ʒʒʒ"))
    assert len(idx) == 0


def test_softmax_and_temperature():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 500)
    scores = rng.normal(size=(500, 3))
    scores[np.arange(500), y] += 1.0
    overconfident = scores * 10
    t = fit_temperature(overconfident, y)
    assert t > 3  # it undoes the artificial sharpening
    p = softmax(overconfident, t)
    np.testing.assert_allclose(p.sum(1), 1.0)
    assert (p.argmax(1) == overconfident.argmax(1)).all()  # ranking unchanged


def test_expected_calibration_error():
    assert expected_calibration_error(np.full(100, 0.9), np.r_[np.ones(90), np.zeros(10)]) == pytest.approx(
        0.0
    )
    assert expected_calibration_error(np.full(100, 0.9), np.zeros(100)) == pytest.approx(0.9)


def test_threshold_respects_in_scope_budget_and_catches_oos():
    # in-scope answers are confident, out-of-scope ones are not
    confidence = np.r_[np.linspace(0.6, 1.0, 90), np.linspace(0.1, 0.4, 10)]
    gold = np.r_[np.zeros(90, int), np.full(10, 1)]
    predicted = np.zeros(100, int)
    t = choose_threshold(confidence, predicted, gold, oos_index=1, max_in_scope_loss=0.02)
    assert 0.4 < t <= 0.62
    # without out-of-scope data: the highest threshold losing at most 2% in-scope accuracy
    t2 = choose_threshold(confidence[:90], predicted[:90], gold[:90], oos_index=None, max_in_scope_loss=0.02)
    assert (confidence[:90] < t2).mean() <= 0.02 + 1e-9 and t2 > 0.6


def test_classifier_fit_predict_and_ranking():
    model = LinearIntentClassifier(cv_folds=3, ranking_size=2).fit(X, LABELS)
    result = model.predict_one(*features("I lost my card"))
    assert result.top[0] == "lost_card" and not result.out_of_scope
    assert len(result.ranking) == 2 and result.ranking[0][1] >= result.ranking[1][1]
    docs = [preprocess("refund please now"), preprocess("hello")]
    batch = model.predict_rows([FEATURIZER.transform_one(d) for d in docs], [True, True])
    assert [r.top[0] for r in batch] == ["refund", "greeting"]
    assert model.cv_metrics_["folds"] == 3 and 0 <= model.cv_metrics_["ece"] <= 1


def test_binary_classifier():
    two = [i for i, label in enumerate(LABELS) if label != "greeting"]
    model = LinearIntentClassifier().fit(X[two], [LABELS[i] for i in two])
    assert model.predict_one(*features("money back")).top[0] == "refund"
    assert model.model_.weights_.shape[1] == 2


def test_classifier_needs_two_intents_and_fit_first():
    with pytest.raises(DataError, match="at least 2 intents"):
        LinearIntentClassifier().fit(X[:6], LABELS[:6])
    with pytest.raises(NotFittedError):
        LinearIntentClassifier().predict_one(*features("hello"))
