"""The bundled default data in six languages, and the demo's customer who switches language.

The files are read with the project's reader (a format slip fails here before it fails `make demo`);
a model trained on all of data/ must get most of a few held-out sentences right in every language.
The held-out sentences are written for this test and appear nowhere in data/.
"""

from __future__ import annotations

import warnings
from collections import Counter
from functools import cache

import pytest
import yaml

from conftest import DEFAULT_DATA, DIALOGUE_DATA, ROOT, SENTIMENT_DATA
from empathy_nlu import Classifier
from empathy_nlu.cli.demo import JAPANESE_CHATS, MESSAGES, language_label, walk_customer_across_languages
from empathy_nlu.dataset import load_data

LANGUAGES = ("zh", "ja", "ko", "es", "ar")
LANGUAGE_DATA = {lang: ROOT / "data" / f"support_{lang}.yaml" for lang in LANGUAGES}
# What `make demo` / `make default-model` train on (the Makefile's DEFAULT_DATA).
ALL_DEFAULT_DATA = [DEFAULT_DATA, *LANGUAGE_DATA.values(), SENTIMENT_DATA, DIALOGUE_DATA]
MIN_HELD_OUT_RIGHT = 9  # of 12 per language

HELD_OUT = {
    "zh": [
        ("我的卡在商场付款的时候被拒绝了", "card_payment_declined"),
        ("银行卡丢了，麻烦帮我挂失一下", "lost_or_stolen_card"),
        ("新卡寄了好久还没收到", "card_not_arrived"),
        ("同一笔订单扣了我两次钱", "duplicate_charge"),
        ("登录密码忘了怎么找回", "forgot_password"),
        ("手机收不到验证码怎么办", "two_factor_problem"),
        ("我想查一下卡里的余额", "balance_inquiry"),
        ("帮我转人工客服", "talk_to_human"),
        ("我要注销这个账户", "close_account"),
        ("ATM吞了我的卡", "atm_issue"),
        ("非常感谢你的帮助", "thanks"),
        ("周末去哪里爬山比较好", "out_of_scope"),
    ],
    "ja": [
        ("スーパーでカードが使えませんでした", "card_payment_declined"),
        ("クレジットカードを紛失してしまいました", "lost_or_stolen_card"),
        ("再発行したカードがまだ届かない", "card_not_arrived"),
        ("同じ買い物で二回お金が引かれています", "duplicate_charge"),
        ("ログインのパスワードを忘れちゃった", "forgot_password"),
        ("SMSの認証コードが届かないです", "two_factor_problem"),
        ("口座の残高を確認したいのですが", "balance_inquiry"),
        ("オペレーターと話をさせてください", "talk_to_human"),
        ("銀行口座を解約したいと思っています", "close_account"),
        ("ATMでカードが出てこなくなった", "atm_issue"),
        ("丁寧に教えてくれてありがとう", "thanks"),
        ("週末のおすすめの観光地は？", "out_of_scope"),
    ],
    "ko": [
        ("마트에서 카드 결제가 거절됐어요", "card_payment_declined"),
        ("신용카드를 분실했어요 정지해 주세요", "lost_or_stolen_card"),
        ("재발급 신청한 카드가 아직도 안 왔네요", "card_not_arrived"),
        ("한 번 결제했는데 두 번 빠져나갔어요", "duplicate_charge"),
        ("로그인 비밀번호를 잊어버렸는데 어떻게 찾아요", "forgot_password"),
        ("인증 문자가 안 와요", "two_factor_problem"),
        ("통장 잔액 좀 확인해 주세요", "balance_inquiry"),
        ("상담원 좀 연결해 줄래요", "talk_to_human"),
        ("은행 계좌를 해지하려고 합니다", "close_account"),
        ("ATM에서 돈이 안 나오고 카드도 안 나와요", "atm_issue"),
        ("도와줘서 정말 고마워요", "thanks"),
        ("주말에 등산하기 좋은 곳 알려줘", "out_of_scope"),
    ],
    "es": [
        ("me han rechazado la tarjeta en la gasolinera", "card_payment_declined"),
        ("creo que perdí la tarjeta de crédito", "lost_or_stolen_card"),
        ("la tarjeta de sustitución todavía no me llega", "card_not_arrived"),
        ("me cobraron la misma compra dos veces", "duplicate_charge"),
        ("no recuerdo la contraseña para entrar en la app", "forgot_password"),
        ("el código de verificación por sms no me llega", "two_factor_problem"),
        ("quiero saber cuánto saldo me queda", "balance_inquiry"),
        ("necesito hablar con un agente humano", "talk_to_human"),
        ("quiero dar de baja mi cuenta del banco", "close_account"),
        ("el cajero automático se quedó con mi tarjeta", "atm_issue"),
        ("muchas gracias por tu ayuda", "thanks"),
        ("qué película me recomiendas para el finde", "out_of_scope"),
    ],
    "ar": [
        ("انرفضت بطاقتي لما حاولت أدفع في المحل", "card_payment_declined"),
        ("ضاعت بطاقتي أبي أوقفها", "lost_or_stolen_card"),
        ("البطاقة البديلة لسه ما وصلتني", "card_not_arrived"),
        ("انخصم مني نفس الشراء مرتين", "duplicate_charge"),
        ("نسيت كلمة المرور للتطبيق كيف أرجعها", "forgot_password"),
        ("رمز التحقق ما يوصل على جوالي", "two_factor_problem"),
        ("أبغى أعرف كم الرصيد اللي عندي", "balance_inquiry"),
        ("أبي أتكلم مع موظف حقيقي", "talk_to_human"),
        ("أريد إغلاق حسابي البنكي", "close_account"),
        ("الصراف بلع بطاقتي وما رجعها", "atm_issue"),
        ("شكراً جزيلاً على مساعدتك", "thanks"),
        ("وش أحلى مكان أسافر له في الصيف", "out_of_scope"),
    ],
}


@cache
def _support_intents() -> frozenset[str]:
    with DEFAULT_DATA.open(encoding="utf-8") as fh:
        return frozenset(block["intent"] for block in yaml.safe_load(fh)["intents"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_file_loads_with_the_project_reader(lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a DataWarning (e.g. conflicting labels) is a failure here
        dataset = load_data(LANGUAGE_DATA[lang])
    counts = Counter(example.intent for example in dataset.examples)
    assert set(counts) == _support_intents()
    assert min(counts.values()) >= 8, counts.most_common()[-3:]
    assert all(example.sentiment for example in dataset.examples)
    assert {example.language for example in dataset.examples} == {lang}  # the file's `language:` key
    spans = [(example.text, span) for example in dataset.examples for span in example.entities]
    assert len(spans) >= 25
    for text, span in spans:  # the annotation's surface is exactly the span of the plain text
        assert text[span.start : span.end] == span.value and "[" not in text, (text, span)
    assert {"amount_of_money", "date", "card_last4"} <= {span.entity for _, span in spans}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_held_out_sentences_are_not_in_the_data(lang: str) -> None:
    texts = {" ".join(e.text.lower().split()) for e in load_data(LANGUAGE_DATA[lang]).examples}
    for text, intent in HELD_OUT[lang]:
        assert " ".join(text.lower().split()) not in texts, text
        assert intent in _support_intents()


def test_demo_greets_in_every_language() -> None:
    from empathy_nlu.language.scripts import scripts_in

    scripts = set().union(*(scripts_in(text) for text, _ in MESSAGES))
    assert {"latin", "han", "kana", "hangul", "arabic"} <= scripts, scripts


def test_demo_messages_are_not_training_examples() -> None:
    """The demo shows what the model generalises to, not what it memorised."""
    seen = {
        " ".join(e.text.lower().split()) for path in LANGUAGE_DATA.values() for e in load_data(path).examples
    }
    shown = [text for text, _ in MESSAGES] + JAPANESE_CHATS
    assert not [text for text in shown if " ".join(text.lower().split()) in seen]


def test_language_label_shows_what_the_prediction_carries() -> None:
    class Shown:
        language = {"code": "ja", "confidence": 0.971, "source": "conversation"}

    class Unknown:
        language = {"code": None, "confidence": 0.0, "source": "message"}

    assert language_label(Shown()) == "ja 0.97 (conversation)"
    assert language_label(Unknown()) == "?"
    assert language_label(object()) == "?"  # a model or library without language detection


@pytest.fixture(scope="module")
def default_model() -> Classifier:
    """What `make default-model` builds from data/ (about 40 s on one core)."""
    return Classifier.train(ALL_DEFAULT_DATA)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_default_model_understands_held_out_sentences(default_model: Classifier, lang: str) -> None:
    rows = HELD_OUT[lang]
    predictions = default_model.predict_batch([text for text, _ in rows])
    got = ["out_of_scope" if p.out_of_scope else p.intent.name for p in predictions]
    misses = [(text, want, name) for (text, want), name in zip(rows, got, strict=True) if name != want]
    assert len(rows) - len(misses) >= MIN_HELD_OUT_RIGHT, misses


@pytest.mark.slow
def test_default_model_keeps_english_and_spanish_apart_from_the_rest(default_model: Classifier) -> None:
    english = default_model.predict_batch(["my card was declined at the shop", "I want to close my account"])
    assert [p.intent.name for p in english] == ["card_payment_declined", "close_account"]


@pytest.mark.slow
def test_demo_customer_switches_from_japanese_chat_to_english_email(default_model, tmp_path) -> None:
    from empathy_nlu.store import open_store

    lines: list[str] = []
    with open_store(tmp_path / "demo.sqlite3") as store:
        predictions = walk_customer_across_languages(default_model, store, say=lines.append)
        stored = store.history("demo-customer-8823")
    assert [s.turn.channel for s in stored] == ["chat", "chat", "email"]
    assert [p.language["code"] for p in predictions] == ["ja", "ja", "en"]
    assert {p.intent.name for p in predictions} == {"card_not_arrived"}
    last = predictions[-1].context
    assert last["need"] == "card_not_arrived" and last["repeat_contact"]["is_repeat"]
    assert "chat" in last["repeat_contact"]["channels"]
    assert any("language ja" in line for line in lines) and any("language en" in line for line in lines)
    assert lines[-1].endswith("(kept)")
