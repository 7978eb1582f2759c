"""Clean utterances wrapped as realistic raw channel input: SMS, voice transcript, social post.

Used by ``benchmarks/channels.py`` to build the raw-channel BANKING77 test sets (e-mail:
``channel_wrap_email.py``); ``write_samples`` writes the committed sample ``channel_samples.jsonl``.
Written independently of the adapters: its own text-speak list (with forms the SMS adapter
does not know), its own fillers ("like", "i mean", "okay so" that the voice adapter keeps),
numbers spelled out the way speech recognizers write them, and every choice drawn from a
seeded ``random.Random`` so the sets are the same on every run.
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

from .channel_wrap_email import wrap_email

CHANNELS = ["email", "voice", "sms", "social"]

EMOJI = ["😡", "😤", "🙏", "😭", "😩", "🤔", "👍", "💳", "😊", "🙄", "😢", "❤️", "🤷", "😬", "💸"]


def _words(text: str) -> list[str]:
    return text.split()


# -- numbers as a speech recognizer writes them ------------------------------------------------------
_ONES = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_TENS = _words("_ _ twenty thirty forty fifty sixty seventy eighty ninety")
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}  # fmt: skip
_CURRENCY = {"$": "dollars", "£": "pounds", "€": "euros", "¥": "yen"}


def int_words(n: int) -> str:
    """0 <= n < 10**9 in words ("forty two", "three hundred and five", "two thousand")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + int_words(rest))
    for size, name in ((10**6, "million"), (1000, "thousand")):
        if n >= size:
            rest = n % size
            tail = "" if rest == 0 else (" and " if rest < 100 else " ") + int_words(rest)
            return int_words(n // size) + " " + name + tail
    raise ValueError(n)


def ordinal_words(n: int) -> str:
    words = int_words(n).split()
    last = words[-1]
    if last in _ORDINAL:
        words[-1] = _ORDINAL[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def spoken_number(token: str, rng: random.Random) -> str:
    """A number as said aloud: years in pairs, long codes digit by digit, decimals with "point"."""
    digits = token.replace(",", "")
    if "." in digits:
        whole, frac = digits.split(".", 1)
        if len(frac) == 2:  # an amount: "12.50" -> "twelve fifty"
            return int_words(int(whole or 0)) + ("" if int(frac) == 0 else " " + int_words(int(frac)))
        return int_words(int(whole or 0)) + " point " + " ".join(_ONES[int(d)] for d in frac)
    n = int(digits)
    if len(digits) >= 5 or digits.startswith("0"):
        return " ".join(_ONES[int(d)] for d in digits)
    if 1990 <= n <= 2099 and len(digits) == 4:
        return "twenty " + int_words(n % 100) if n >= 2010 else int_words(n // 100) + " " + int_words(n % 100)
    return int_words(n)


_MONEY = re.compile(r"([$£€¥])\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?([$£€¥])")
_ORDINAL_NUM = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def spell_numbers(text: str, rng: random.Random) -> str:
    def money(m: re.Match) -> str:
        symbol, amount = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        spoken = spoken_number(amount, rng)
        return f" {spoken} {_CURRENCY[symbol][:-1] if spoken == 'one' else _CURRENCY[symbol]} "

    text = _MONEY.sub(money, text)
    text = _TIME.sub(lambda m: f"{int_words(int(m.group(1)))} {int_words(int(m.group(2)))}", text)
    text = _ORDINAL_NUM.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = text.replace("%", " percent")
    for code, name in (("EUR", "euros"), ("USD", "dollars"), ("GBP", "pounds")):
        text = re.sub(rf"\b{code}\b", name, text, flags=re.IGNORECASE)
    return _NUM.sub(lambda m: spoken_number(m.group(0), rng), text)


# -- voice ---------------------------------------------------------------------------------------------
_OPENERS = ["um", "uh", "so um", "yeah hi um", "okay so", "hi yeah", "hello uh", "right so", "yes hi", "hmm"]
_FILLERS = ["um", "uh", "you know", "like", "i mean", "er", "uh", "um", "kind of"]


def wrap_voice(text: str, rng: random.Random) -> str:
    """An ASR transcript: lowercase, no punctuation, spelled numbers, fillers, stutters, restarts."""
    text = spell_numbers(text, rng).lower()
    keep_apostrophes = rng.random() < 0.85
    if not keep_apostrophes:  # "can't" -> "cant", as recognizers without apostrophes write it
        text = text.replace("'", "")
    text = re.sub(r"[^\w\s']", " ", text)
    words = text.split()
    out: list[str] = []
    if rng.random() < 0.5:
        out.extend(rng.choice(_OPENERS).split())
    for i, word in enumerate(words):
        if i and rng.random() < 0.07:
            out.extend(rng.choice(_FILLERS).split())
        out.append(word)
        if rng.random() < 0.05:
            out.append(word)  # "i i want"
        if i == 1 and rng.random() < 0.1:
            out.extend(words[:2])  # a restart: "i want i want to"
    return " ".join(out)


# -- sms -----------------------------------------------------------------------------------------------
_TEXT_SPEAK = {
    "you": ["u", "u", "ya"], "your": ["ur", "ur", "yr"], "you're": ["ur", "youre"], "are": ["r"],
    "please": ["pls", "plz", "pleas", "pls"], "thanks": ["thx", "thnx", "ty"], "thank": ["thnk"],
    "today": ["2day", "tday"], "tomorrow": ["2moro", "tmrw"], "to": ["2"], "for": ["4"], "before": ["b4"],
    "because": ["bc", "cuz", "coz"], "with": ["w/", "wiv"], "without": ["w/o"], "what": ["wat", "wot", "wht"],
    "why": ["y"], "can't": ["cant", "cnt"], "don't": ["dont", "dnt"], "i'm": ["im"], "i've": ["ive"],
    "didn't": ["didnt"], "doesn't": ["doesnt"], "won't": ["wont"], "isn't": ["isnt"], "haven't": ["havent"],
    "account": ["acct", "acc"], "message": ["msg"], "about": ["abt"], "and": ["n", "&"], "people": ["ppl"],
    "really": ["rly", "rlly"], "received": ["recvd", "rcvd"], "transfer": ["xfer"], "great": ["gr8"],
    "transaction": ["txn", "trans"], "something": ["smth", "sumthing"], "know": ["kno"], "okay": ["k", "ok"],
    "password": ["pwd"], "number": ["no.", "num"], "later": ["l8r"], "anyone": ["ne1", "any1"],
    "someone": ["some1", "sum1"], "be": ["b"], "see": ["c"], "would": ["wud"], "could": ["cud"],
    "the": ["da", "teh"], "just": ["jst"], "need": ["ned", "nd"], "immediately": ["asap"],
}  # fmt: skip
_SMS_SUB_RATE = {"to": 0.25, "for": 0.25, "the": 0.05, "and": 0.3, "be": 0.3, "see": 0.3}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def wrap_sms(text: str, rng: random.Random) -> str:
    """An SMS: text-speak, dropped apostrophes and punctuation, mostly lowercase, emoji."""
    if rng.random() < 0.7:
        text = text.lower()
    out = []
    for word in re.findall(r"[\w'$£€.,:?!]+|\S", text):
        core = word.rstrip(".,?!")
        tail = word[len(core) :]
        forms = _TEXT_SPEAK.get(core.lower())
        if forms and rng.random() < _SMS_SUB_RATE.get(core.lower(), 0.65):
            core = rng.choice(forms)
        elif "'" in core and rng.random() < 0.7:
            core = core.replace("'", "")
        elif rng.random() < 0.02:
            core = _typo(core, rng)
        if tail and rng.random() < 0.6:
            tail = "??" if "?" in tail and rng.random() < 0.3 else ""
        out.append(core + tail)
    message = " ".join(out)
    if rng.random() < 0.45:
        message += " " + "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
    return message


# -- social --------------------------------------------------------------------------------------------
_HANDLES = ["AcmeBank", "AcmeBankHelp", "Acme_Support", "acmebank", "AcmeUK"]
_HASHTAGS = ["#fail", "#banking", "#help", "#customerservice", "#NotHappy", "#frustrated", "#fintech",
             "#AnyoneElse", "#MondayBlues", "#thanks", "#StillWaiting", "#SortItOut", "#bankingfail",
             "#AcmeBank", "#UX"]  # fmt: skip
_STOP = set(
    _words(
        "the a an and or but to of in on for with my i me is are was were be been it "
        "this that you your can could would will do does did have has had not no how what why "
        "when where which"
    )
)


def wrap_social(text: str, rng: random.Random) -> str:
    """A public post: brand handle, hashtags (inline and trailing), emoji, sometimes a link."""
    words = text.split()
    content = [i for i, w in enumerate(words) if w.isalpha() and w.lower() not in _STOP and len(w) > 3]
    roll = rng.random()
    if content and roll < 0.15 and len(content) >= 2 and content[1] == content[0] + 1:
        i = content[0]  # two adjacent words become one camel-case hashtag: "top up" -> "#TopUp"
        words[i : i + 2] = ["#" + words[i].capitalize() + words[i + 1].strip(string.punctuation).capitalize()]
    elif content and roll < 0.4:
        i = rng.choice(content)
        words[i] = "#" + words[i]
    post = " ".join(words)
    if rng.random() < 0.15:
        post = re.sub(r"\byou\b", "u", post)
        post = re.sub(r"\bplease\b", "pls", post, flags=re.I)
    handle = "@" + rng.choice(_HANDLES)
    where = rng.random()
    if where < 0.55:
        post = f"{handle} {post}"
    elif where < 0.65:
        post = f"Hey {handle}, {post[:1].lower()}{post[1:]}"
    elif where < 0.85:
        post = f"{post} {handle}"
    if rng.random() < 0.6:
        post += " " + " ".join(rng.sample(_HASHTAGS, rng.randint(1, 3)))
    if rng.random() < 0.5:
        post += " " + "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.15:
        post += " https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10))
    if rng.random() < 0.05:
        post = post.upper()
    return post


WRAPPERS = {"email": wrap_email, "voice": wrap_voice, "sms": wrap_sms, "social": wrap_social}


def wrap_all(texts: list[str], channel: str, seed: int = 0) -> list[str | bytes]:
    """Every text wrapped for ``channel``; e-mails quote another text of the list as the earlier message."""
    rng = random.Random(f"{channel}:{seed}")
    if channel == "email":
        return [wrap_email(text, rng, earlier=texts[rng.randrange(len(texts))]) for text in texts]
    return [WRAPPERS[channel](text, rng) for text in texts]


def write_samples(path: Path, texts: list[str], gold: list[str], seed: int, per_channel: int = 5) -> None:
    """A few wrapped utterances per channel, committed so readers (and tests) can see the raw inputs."""
    rows = []
    for channel in CHANNELS:
        raws = wrap_all(texts, channel, seed)
        for i in range(per_channel):
            k = i * 97 % len(raws)
            raw = raws[k].decode("utf-8") if isinstance(raws[k], bytes) else raws[k]
            rows.append({"channel": channel, "intent": gold[k], "clean": texts[k], "raw": raw})
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
