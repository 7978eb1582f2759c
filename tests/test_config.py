import pytest

from empathy_nlu import Classifier, ConfigError
from empathy_nlu.config import default_config, load_config, make_config


def test_defaults_and_overrides():
    assert make_config() == default_config()
    config = make_config({"intent": {"C": 2, "cv_folds": 5}})
    assert config["intent"]["C"] == 2.0 and config["intent"]["cv_folds"] == 5
    assert config["features"]["min_df"] == default_config()["features"]["min_df"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"intnet": {}}, "unknown config key 'intnet'"),
        ({"intent": {"C": "high"}}, "must be float"),
        ({"intent": {"cv_folds": True}}, "must be int"),
        ({"intent": {"C": -1.0}}, "intent.C is out of range"),
        ({"features": {"char_ngram_range": [5, 2]}}, "1 <= low <= high"),
        ({"intent": 3}, "must be a mapping"),
    ],
)
def test_bad_values_name_the_key(overrides, message):
    with pytest.raises(ConfigError, match=message):
        make_config(overrides)


def test_load_config_file_errors(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("intent:\n  C: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")
    path.write_text("intent:\n  ranking_size: 3\n")
    assert load_config(path)["intent"]["ranking_size"] == 3


def test_config_reaches_the_model(tmp_path):
    from conftest import DEFAULT_DATA

    model = Classifier.train(DEFAULT_DATA, {"intent": {"ranking_size": 2}})
    assert len(model.predict("i lost my card").intent_ranking) == 2
    assert model.manifest["config"]["intent"]["ranking_size"] == 2
