"""Voice: a speech-to-text transcript of what the customer said.

Transcripts have no casing and little punctuation, carry fillers ("um", "uh", "you know"),
openers ("okay so", "yeah hi"), stutters ("i i want", "my card my card"), and numbers as
words. Normalization removes fillers, openers and stutters, restores apostrophes ("cant" ->
"can't"), turns spelled numbers into digits with ``text2num`` ("forty two dollars" -> "42
dollars", "one two three four" -> "1234") so amounts, card endings and dates read the same as
typed text to the model and the entity parser, and ends a question with "?". Small numbers
standing alone ("two weeks", "one card") stay words, as typed text has them.

Personal data must stay recognizable after normalization (docs/privacy.md): a word glued by
punctuation ("4111-1111-1111-1111", "jo.doe@example.com", "(555) 123-4567") is kept whole, not
split into "4111- 1111" that no masker reads as a card; digits read out one by one ("four one one
one, one one one one, ...", "oh seven seven double oh ...") become digit groups ("4111 1111 ...");
and cents said after the currency ("forty two dollars fifty") become a decimal amount (42.50).
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from ..prediction import Prediction
from ..privacy.detect import DIGIT_OF
from ..schema import Turn
from .base import ChannelMessage, clean_text, decode_raw, end_question, handle_message, word_set
from .shorthand import restore_apostrophes

CHANNEL = "voice"


FILLERS = word_set("um umm uh uhh uhm erm er ah hmm mm mhm eh")
# Words that open a spoken turn without meaning anything: "okay so", "yeah hi", "right so".
OPENERS = word_set("so okay ok right yeah yes yep well hi hello hey alright and oh")
# "you know" is a filler unless it is the verb of the sentence ("do you know where my card is").
_KNOW_VERB_BEFORE = word_set(
    "do does did don't dont didn't would could can will if whether let should might may"
)
_KNOW_VERB_AFTER = word_set("how what where when why who whether if that about anything any of")
_NUMBER_WORDS = word_set(
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million"
)
# A word, with what punctuation glues inside it kept ("4111-1111", "jo.doe@example.com", "10:30",
# "+44"), or one punctuation mark.
_WORD = re.compile(r"\+?[\w']+(?:[-.@/:+_][\w']+)*|[^\w\s]", re.UNICODE)
_OPENING = frozenset("([{")
_BEFORE_A_NUMBER = frozenset("$€£¥#")  # no space before a number after these: "$40", "#1"
_CLOSING = frozenset(")]},.!?;:%")
# Digits read out one by one: "four one one one", "oh seven seven double oh nine". "oh" is a zero only
# inside such a run (or opening one of four digits or more), "double"/"triple" only before a digit.
_DIGIT_WORDS = DIGIT_OF
_TIMES = {"double": 2, "triple": 3}
_TENS = word_set("twenty thirty forty fifty sixty seventy eighty ninety")
_GROUP_BREAKS = frozenset(",.-")
_PLUS = re.compile(r"\bplus (?=\d{6,})")  # "plus 447700900123": an international number
# "42 dollars 50", "42 dollars and 50 cents": cents after the currency word, as a decimal amount.
_CENTS = re.compile(
    r"\b(\d+) (dollars?|euros?|pounds?|bucks|quid) (?:and )?"
    r"(?:(\d{2})(?! (?:cents?|pence|p)\b)|(\d{1,2}) (?:cents?|pence|p)\b)"
    r"(?! ?(?:%|percent|times|minutes?|hours?|days?|weeks?|months?|years?|seconds?)\b)"
)
_A_NUMBER = re.compile(r"\ba (hundred|thousand|million)\b")
# Below 4, text2num leaves a number standing alone as a word ("one card"); before a currency it is an amount.
_SMALL_AMOUNT = re.compile(
    r"(?<!ty )(?<!hundred )(?<!thousand )(?<!and )(?<!point )"
    r"\b(zero|one|two|three)(?= (?:dollars?|euros?|pounds?|cents?|pence|bucks|quid|percent|usd|eur|gbp)\b)"
)
_SMALL = {"zero": "0", "one": "1", "two": "2", "three": "3"}
_DIGIT_RUN = re.compile(r"\b\d(?: \d){2,}\b")  # "1 2 3 4": digits read out one by one


def _drop_fillers(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in FILLERS:
            i += 1
            continue
        if word == "you" and i + 1 < len(words) and words[i + 1] == "know":
            before = out[-1] if out else ""
            after = words[i + 2] if i + 2 < len(words) else ""
            if before not in _KNOW_VERB_BEFORE and after not in _KNOW_VERB_AFTER:
                i += 2
                continue
        out.append(word)
        i += 1
    return out


def _drop_repetitions(words: list[str]) -> list[str]:
    """Stutters and restarts: a word or phrase of up to 3 words said twice in a row, said once.
    Number words are kept: "one one two three" is a card ending, not a stutter."""
    out: list[str] = []
    for word in words:
        out.append(word)
        for n in (1, 2, 3):
            repeated = len(out) >= 2 * n and out[-n:] == out[-2 * n : -n]
            if repeated and not any(w in _NUMBER_WORDS or w.isdigit() for w in out[-n:]):
                del out[-n:]
                break
    return out


def _drop_openers(words: list[str]) -> list[str]:
    """ "okay so yeah hi i lost my card" -> "i lost my card": openers go while 3 words remain."""
    start = 0
    while start < len(words) - 3 and words[start] in OPENERS:
        start += 1
    return words[start:]


def _digit_runs(words: list[str]) -> list[str]:
    """Digits read out one by one, as digit groups: "four one one one , one one one one" ->
    "4111 1111"; a comma, dot or dash between digit words starts a new group. Runs of fewer than
    three digits stay words ("two three cards"), and a digit word right after a tens word belongs
    to it ("twenty one two three" is 21, 2, 3 as before)."""
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        groups, j, digits = [""], i, 0
        while j < n:
            word = words[j]
            if word in _TIMES and j + 1 < n and words[j + 1] in _DIGIT_WORDS:
                groups[-1] += _DIGIT_WORDS[words[j + 1]] * _TIMES[word]
                digits += _TIMES[word]
                j += 2
            elif word in _DIGIT_WORDS and not (word == "oh" and digits == 0 and not _opens_run(words, j)):
                if digits == 0 and out and out[-1] in _TENS:
                    break
                groups[-1] += _DIGIT_WORDS[word]
                digits += 1
                j += 1
            elif word in _GROUP_BREAKS and digits and j + 1 < n and words[j + 1] in (*_DIGIT_WORDS, *_TIMES):
                groups.append("")
                j += 1
            else:
                break
        if digits >= 3:
            out.append(" ".join(g for g in groups if g))
            i = j
        else:
            out.append(words[i])
            i += 1
    return out


def _opens_run(words: list[str], j: int) -> bool:
    """A leading "oh" is a zero when three digit words follow ("oh seven seven zero ...")."""
    following = words[j + 1 : j + 4]
    return len(following) == 3 and all(w in _DIGIT_WORDS or w in _TIMES for w in following)


def _join(words: list[str]) -> str:
    """Words joined by spaces, with none inside brackets, before closing punctuation or between a
    currency sign and its number."""
    out: list[str] = []
    for word in words:
        glued = out and (
            word in _CLOSING or out[-1] in _OPENING or (out[-1] in _BEFORE_A_NUMBER and word[:1].isdigit())
        )
        if out and not glued:
            out.append(" ")
        out.append(word)
    return "".join(out)


def _cents(match: re.Match) -> str:
    cents = match.group(3) or match.group(4).zfill(2)
    return f"{match.group(1)}.{cents} {match.group(2)}"


def normalize_transcript(transcript: str) -> str:
    """The transcript as a typed sentence would read (see the module docstring)."""
    words = _WORD.findall(restore_apostrophes(clean_text(transcript).lower()))
    words = _drop_openers(_drop_repetitions(_drop_fillers(words)))
    text = _join(_digit_runs(words))
    text = _A_NUMBER.sub(r"one \1", text)
    text = _SMALL_AMOUNT.sub(lambda m: _SMALL[m.group(1)], text)
    text = alpha2digit(text, "en")
    text = _DIGIT_RUN.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _CENTS.sub(_cents, text)
    text = _PLUS.sub("+", text)
    text = end_question(text)
    text = re.sub(r"\bi\b", "I", text)
    return text[:1].upper() + text[1:]


def read(raw: str | bytes) -> ChannelMessage:
    """The transcript as a ``Turn`` (voice has no metadata)."""
    transcript = decode_raw(raw, CHANNEL)
    text = normalize_transcript(transcript)
    return ChannelMessage(Turn(text=text, channel=CHANNEL), {})


def parse(raw: str | bytes) -> Turn:
    """The ``Turn`` for a transcript."""
    return read(raw).turn


def handle(raw: str | bytes, customer_id: str, classifier, store) -> Prediction:
    """Parse, predict with the customer's history from ``store``, store the turn; the ``Prediction``."""
    return handle_message(read(raw), customer_id, classifier, store)
