from empathy_nlu.preprocessing import (
    EMAIL_TOKEN,
    MONEY_TOKEN,
    NUMBER_TOKEN,
    URL_TOKEN,
    normalize,
    preprocess,
    tokenize,
)


def test_nfkc_and_case_folding():
    assert normalize("ＣＡＲＤ Ｂｌｏｃｋｅｄ") == "card blocked"
    assert normalize("STRASSE Straße") == "strasse strasse"


def test_placeholders_for_urls_emails_money_numbers():
    text = "Paid €40 and 12.50 dollars to bob@example.com, see https://x.io/a?b=1 ref 778812"
    tokens = preprocess(text).tokens
    assert tokens.count(MONEY_TOKEN) == 2
    assert EMAIL_TOKEN in tokens and URL_TOKEN in tokens and NUMBER_TOKEN in tokens
    assert "bob" not in tokens and "778812" not in tokens


def test_money_forms():
    for text in ["$1,299.99", "40€", "40 euros", "£ 73", "1.5k usd", "USD 20"]:
        assert normalize(text) == MONEY_TOKEN, text


def test_elongation_repeated_punctuation_and_whitespace():
    assert normalize("sooooo   slowww!!!!!") == "soo sloww!!"
    assert normalize("  hello\t\n there ") == "hello there"


def test_emoji_are_split_off_words():
    tokens = preprocess("thanks😡😡 so much🙏").tokens
    assert "thanks" in tokens and "much" in tokens
    assert any("😡" in t for t in tokens) and any("🙏" in t for t in tokens)


def test_control_characters_removed():
    assert normalize("card\x00\x07 blocked\x1b") == "card blocked"


def test_tokenize_uses_spacy_rules():
    assert tokenize("can't log-in") == ("ca", "n't", "log", "-", "in")


def test_preprocess_is_deterministic_and_keeps_raw():
    first, second = preprocess("Hi THERE"), preprocess("Hi THERE")
    assert first == second
    assert first.raw == "Hi THERE" and first.normalized == "hi there"
