"""Text of other scripts: per-script normalization, tokens for unspaced scripts, their features."""

import pytest

from conftest import cpu_seconds
from empathy_nlu.features import SparseFeaturizer
from empathy_nlu.language.normalize import fold_scripts
from empathy_nlu.language.segment import char_units, split_unspaced
from empathy_nlu.preprocessing import MONEY_TOKEN, NUMBER_TOKEN, normalize, preprocess


# -- normalization ----------------------------------------------------------------------------------
def test_arabic_letter_variants_are_one_letter():
    assert normalize("أحمد إلى آخر") == normalize("احمد الي اخر") == "احمد الي اخر"
    assert normalize("مدرسة") == "مدرسه"  # taa marbuta -> haa
    assert normalize("ٱلبنك") == "البنك"  # alef wasla


def test_arabic_diacritics_and_tatweel_are_removed():
    assert normalize("بِطَاقَتِي") == "بطاقتي"
    assert normalize("بطـــاقتي") == "بطاقتي"
    assert normalize("شُكْراً") == normalize("شكرا")


def test_arabic_indic_and_persian_digits_are_ascii():
    assert fold_scripts("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"
    assert normalize("رقم ١٢٣٤") == f"رقم {NUMBER_TOKEN}"
    assert normalize("١٢٫٥") == NUMBER_TOKEN  # Arabic decimal separator


def test_arabic_punctuation_becomes_tokens():
    assert preprocess("أين بطاقتي؟").tokens == ("اين", "بطاقتي", "?")
    assert preprocess("الدفع.هل وصل،شكرا").tokens == ("الدفع", ".", "هل", "وصل", ",", "شكرا")


def test_invisible_characters_do_not_split_words():
    assert normalize("\u200b\u200bحقا") == "حقا"
    assert normalize("بطا\u200fقتي") == "بطاقتي"


def test_full_width_forms_are_half_width():
    assert normalize("ＡＴＭ　カード") == "atm カード"
    assert normalize("１２３") == NUMBER_TOKEN
    assert normalize("ｶｰﾄﾞ") == "カード"  # half-width Katakana -> full-width


@pytest.mark.parametrize(
    "text",
    ["3万円", "３万円", "100元", "5,000원", "5만원", "₩5000", "50 ر.س", "٥٠ ريال", "300 圆", "1,5 €", "฿200"],
)
def test_local_money_is_the_money_placeholder(text):
    assert normalize(text) == MONEY_TOKEN, text


def test_money_inside_unspaced_text():
    assert preprocess("我要退100元").tokens == ("我", "要", "退", MONEY_TOKEN)


def test_other_scripts_pass_through():
    for text in ("картой оплатить", "카드가 안 와요", "Καλημέρα", "tarjeta bloqueada, ¿qué hago?"):
        assert fold_scripts(text) == text


# -- tokens for unspaced scripts --------------------------------------------------------------------
def test_chinese_is_one_token_per_character():
    assert preprocess("我的卡被冻结了").tokens == ("我", "的", "卡", "被", "冻", "结", "了")
    assert preprocess("我要听tfboys的歌。").tokens == ("我", "要", "听", "tfboys", "的", "歌", "。")


def test_japanese_kana_and_kanji_are_one_token_each():
    assert preprocess("カードが届きません").tokens == ("カ", "ー", "ド", "が", "届", "き", "ま", "せ", "ん")


def test_thai_characters_keep_their_marks():
    tokens = preprocess("ยกเลิกนาฬิกาปลุก").tokens
    assert tokens == ("ย", "ก", "เ", "ลิ", "ก", "น", "า", "ฬิ", "ก", "า", "ป", "ลุ", "ก")


def test_hangul_words_stay_words():
    assert preprocess("카드가 안 와요").tokens == ("카드가", "안", "와요")


def test_char_units_join_each_run_back():
    tokens = split_unspaced(("我要听tfboys的歌", "。"))
    assert list(char_units(tokens)) == [("我要听", True), ("tfboys", False), ("的歌", True), ("。", False)]


# -- features ---------------------------------------------------------------------------------------
def _fitted(texts):
    return SparseFeaturizer().fit([preprocess(t) for t in texts])


def test_unspaced_text_gets_character_unigrams_bigrams_and_ngrams_across_the_run():
    featurizer = _fitted(["我的卡被冻结了", "我想查余额"])
    words, chars = featurizer.word_vocabulary_, featurizer.char_vocabulary_
    assert {"w 卡", "w 冻 结", "w 余 额"} <= set(words)
    assert {" 我的", "卡被冻", "冻结了 "} <= set(chars)  # across the run, padded at its ends
    idx, vals = featurizer.transform_one(preprocess("卡被冻结"))
    assert len(idx) > 5 and abs(float((vals * vals).sum()) - 2.0) < 1e-4  # two unit blocks


def test_batch_and_single_rows_agree_for_mixed_scripts():
    texts = ["我的卡被冻结了", "my card is blocked", "บัตรของฉันถูกบล็อก", "بطاقتي محظورة", "カードが届きません"]
    featurizer = _fitted(texts)
    docs = [preprocess(t) for t in texts]
    batch = featurizer.transform(docs).toarray()
    for row, doc in zip(batch, docs, strict=True):
        idx, vals = featurizer.transform_one(doc)
        assert sorted(idx.tolist()) == sorted(row.nonzero()[0].tolist())
        assert abs(float(vals.sum()) - float(row.sum())) < 1e-4


def test_knows_any_word_on_cjk_and_thai():
    featurizer = _fitted(["我的卡被冻结了", "カードが届きません", "ยกเลิกนาฬิกาปลุก", "my card"])
    assert featurizer.knows_any_word(preprocess("卡冻结"))  # characters seen in training
    assert featurizer.knows_any_word(preprocess("カードはどこ"))
    assert featurizer.knows_any_word(preprocess("ปลุกฉัน"))
    assert not featurizer.knows_any_word(preprocess("龍鳳"))  # nothing of it seen
    assert not featurizer.knows_any_word(preprocess("zebra"))


def test_a_model_trained_on_chinese_understands_chinese():
    from empathy_nlu import Classifier, Example

    rows = [
        ("我的卡被冻结了", "card_blocked"),
        ("卡片被锁住了怎么办", "card_blocked"),
        ("为什么卡不能用", "card_blocked"),
    ]
    rows += [("我想查余额", "balance"), ("账户里还有多少钱", "balance"), ("查一下我的余额", "balance")]
    model = Classifier.train([Example(text=t, intent=i) for t, i in rows])
    prediction = model.predict("我的卡冻结了")
    assert prediction.out_of_scope_reason != "no_known_words"
    assert prediction.intent_ranking[0].name == "card_blocked"


# -- linear time (docs/input_rules.md) ---------------------------------------------------------------
@pytest.mark.parametrize("unit", ["我", "カ", "ลุ", "بِ", "١", "ـ", "3万円", "ر.س"], ids=repr)
def test_script_rules_are_linear(unit):
    preprocess("warm up " + unit * 10)
    small, big = unit * (4096 // len(unit)), unit * (32768 // len(unit))

    def seconds(text):
        return cpu_seconds(lambda: SparseFeaturizer().fit([preprocess(text)]))

    assert seconds(big) < 24 * max(seconds(small), 0.005)  # linear: 8 times; squared: 64 times


def test_traditional_chinese_reads_as_simplified_and_japanese_keeps_its_kanji():
    """One spelling for Hong Kong / Taiwan customers (measured on CAIS valid: see language/normalize.py)."""
    traditional = preprocess("賬戶裡的錢不見了，請幫我查一下")
    simplified = preprocess("账户里的钱不见了，请帮我查一下")
    assert traditional.tokens == simplified.tokens
    assert "國" in preprocess("カードは國から届きます").tokens  # kana: Japanese, not folded
    assert preprocess("hello 賬戶").tokens == ("hello", "账", "户")
