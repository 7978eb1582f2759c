"""Text-speak expanded to the words a model trained on typed sentences knows ("pls" -> "please").

Used by the SMS and social adapters. Why a fixed list: the forms are few and stable, and each
entry must be unambiguous in a support conversation; words that are also real words or
banking terms ("atm", "id", "ill", "were") are left alone; "2" and "4" become "to" and "for"
only where they count nothing ("need 2 pay" but "2 cards").
"""

from __future__ import annotations

import re

from .base import word_set

# "short=expansion" pairs; "_" stands for a space in the expansion.
_TABLE = """
u=you ya=you yu=you ur=your urs=yours r=are im=I'm ive=I've youre=you're theyre=they're hes=he's
shes=she's thats=that's whats=what's wats=what's hows=how's wheres=where's theres=there's cant=can't
dont=don't wont=won't didnt=didn't doesnt=doesn't isnt=isn't arent=aren't wasnt=wasn't
werent=weren't havent=haven't hasnt=hasn't hadnt=hadn't couldnt=couldn't shouldnt=shouldn't
wouldnt=wouldn't aint=ain't wanna=want_to gonna=going_to gotta=got_to dunno=don't_know wat=what
wut=what wht=what y=why hw=how wen=when whn=when wer=where n=and nd=and &=and w/=with w/o=without
abt=about bout=about bc=because b/c=because cuz=because coz=because bcoz=because bcz=because
cos=because tho=though thru=through 2day=today 2nite=tonight 2moro=tomorrow 2morrow=tomorrow
tmrw=tomorrow tmr=tomorrow tmw=tomorrow b4=before l8=late l8r=later gr8=great sum1=someone
any1=anyone no1=no_one some1=someone ne1=anyone k=ok kk=ok okk=ok ppl=people sth=something
smth=something yest=yesterday wk=week wks=weeks hr=hour hrs=hours mins=minutes pls=please plz=please
plse=please plss=please thx=thanks thnx=thanks thanx=thanks tnx=thanks ty=thank_you
tyvm=thank_you_very_much np=no_problem sry=sorry srry=sorry soz=sorry idk=I_don't_know
imo=in_my_opinion btw=by_the_way asap=as_soon_as_possible acct=account acc=account accnt=account
a/c=account bal=balance amt=amount pmt=payment pymt=payment txn=transaction trx=transaction
xfer=transfer trnsfr=transfer msg=message txt=text pwd=password pw=password passwd=password
num=number recvd=received rcvd=received recd=received
"""
SHORTHAND: dict[str, str] = dict(
    (short, expansion.replace("_", " "))
    for short, expansion in (pair.split("=", 1) for pair in _TABLE.split())
)

# A token: letters/digits with inner / . & ' ("w/o", "b/c", "no."), or a lone "&".
_TOKEN = re.compile(r"(?<![\w@#/])(?:[a-z0-9]+(?:[/'][a-z0-9]+)*/?\.?|&)(?![\w/])", re.IGNORECASE)


# Contractions written without the apostrophe ("cant", "im"), for channels with no other text-speak.
CONTRACTIONS = {k: v for k, v in SHORTHAND.items() if "'" in v and v.replace("'", "").lower() == k}
_CONTRACTION = re.compile(r"\b(?:" + "|".join(sorted(CONTRACTIONS, key=len, reverse=True)) + r")\b", re.I)


def restore_apostrophes(text: str) -> str:
    """``"i cant"`` -> ``"i can't"``: only the unambiguous contractions, nothing else."""
    return _CONTRACTION.sub(lambda m: CONTRACTIONS[m.group(0).lower()], text)


# "2" and "4" stand for "to" and "for" unless they count something: "need 2 make a transfer" but
# "2 cards", "my 2 accounts", "2 pm". A count is followed by a plural, a time, or nothing.
_TO_FOR = re.compile(r"(?<![\w$£€¥.,:/-])([24])(?= ([a-z][a-z']*))", re.IGNORECASE)
_NOT_PLURAL = word_set("this is was us his its as yours ours theirs access process address business express")
_COUNT_BEFORE = word_set(
    "the a my your our their these those about around only just over under than last next"
)
_TIME_AFTER = word_set("am pm x of or and")


def _to_for(match: re.Match, text: str) -> str:
    digit, after = match.group(1), match.group(2).lower()
    before = text[: match.start()].split()[-1:]
    plural = after.endswith("s") and after not in _NOT_PLURAL
    if plural or after in _TIME_AFTER or (before and before[0].lower() in _COUNT_BEFORE):
        return digit
    return "to" if digit == "2" else "for"


def expand_shorthand(text: str) -> str:
    """``text`` with every shorthand token replaced; case of other words and emoji untouched."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        expanded = SHORTHAND.get(token.lower())
        if expanded is None and token.endswith("."):
            expanded = SHORTHAND.get(token[:-1].lower())
            return token if expanded is None else expanded + "."
        return token if expanded is None else expanded

    text = _TOKEN.sub(replace, text)
    return _TO_FOR.sub(lambda m: _to_for(m, text), text) if ("2" in text or "4" in text) else text
