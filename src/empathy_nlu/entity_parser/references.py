"""Contact details and references: ``email``, ``url``, ``phone_number``, ``card_number`` (masked),
``card_last4`` and regex entities (``order_id``, ``transaction_id``, or a deployment's own).

Why ``phonenumbers``: Google's libphonenumber metadata knows which digit strings are
possible numbers where, and gives one normalized E.164 form; regexes only propose candidates.
Why a card number is never echoed: the parser's output is logged and stored, so a
Luhn-valid number comes back as ``"**** **** **** 1234"`` in ``text`` and ``{"last4": ...}``.
"""

from __future__ import annotations

import contextlib
import re

from ..errors import ConfigError
from ..privacy.fold import SEPARATOR
from .masking import CARD_RE, EMAIL_RE, PHONE_RE, luhn_valid, mask_card, plausible_phone

Candidate = tuple[int, int, str, object, float]

# A host name is at most 10 labels of at most 63 characters (DNS allows longer, nobody writes them):
# unbounded, every label start of "1.1.1.1..." or "a-a-a-..." would read the run to its end again.
URL_RE = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]"
    r"|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,9}\.(?:com|org|net|io|co\.uk|co|uk|de|fr|eu|info|biz"
    r"|app|dev|ie|es|it|nl|ly|me)\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?",
    re.IGNORECASE,
)
CARD_LAST4_RE = re.compile(
    r"\b(?:ending|ends|ended)\s+(?:in\s+|with\s+|on\s+)?(?P<value>\d{4})\b"
    r"|\blast\s+(?:four|4)(?:\s+digits)?(?:\s+(?:of\s+(?:my|the)\s+card\s+)?(?:are|is|were))?\s*:?\s*(?P<value2>\d{4})\b",
    re.IGNORECASE,
)
# "card 8061", "card no. 8061", "my visa 8061": four digits right after a card word are its ending, even
# 1900-2099 ("I sat on card 1947"); a year needs a word between ("card from 2023"). Not the first group
# of a longer number ("card 4111 1111 ...") nor an amount ("card 1000 euros").
CARD_WORD_LAST4_RE = re.compile(
    r"\b(?:card|visa|mastercard|amex|maestro)\s*(?:(?:no\.?|number|nr|#)\s*)?(?::\s*|#\s*)?"
    r"(?P<value>\d{4})\b(?![.,:\- ]?\d)"
    r"(?!\s*(?:[$€£¥%]|(?:eur|euros?|usd|gbp|dollars?|pounds?|quid|bucks|p)\b))",
    re.IGNORECASE,
)
LAST4_WORDS = frozenset({"ending", "ends", "ended", "last", "card", "visa", "mastercard", "amex", "maestro"})
DEFAULT_PATTERNS: dict[str, list[str]] = {
    "order_id": [
        r"(?i)\border\s*(?:number|no\.?|id|ref(?:erence)?|#)?\s*(?:is\s+|:\s*|#\s*)?(?P<value>[a-z]{0,4}-?\d[a-z0-9-]{3,})\b",
    ],
    "transaction_id": [
        r"(?i)\b(?:transaction|txn|payment|transfer)\s*(?:number|no\.?|id|ref(?:erence)?|#)\s*(?:is\s+|:\s*|#\s*)?"
        r"(?P<value>[a-z0-9]*\d[a-z0-9-]{3,})\b",
        # no id word: "transaction TX40021988", "transfer TXN-123456": a letter prefix (not a currency
        # code) and 6+ digits, so "transfer 500000" stays an amount
        r"(?i)\b(?:transaction|txn|payment|transfer)s?\s*[:#]?\s*(?!(?:eur|usd|gbp|chf|jpy)-?\d)"
        r"(?P<value>[a-z]{1,4}-?\d{6,})\b",
        r"(?i)\bref(?:erence)?\s*(?:number|no\.?|code|#)?\s*(?:is\s+|:\s*|#\s*)?(?P<value>[a-z]{0,4}-?\d[a-z0-9-]{3,})\b",
    ],
}
# Words without which a default pattern cannot match (a deployment's own patterns always run).
DEFAULT_PATTERN_WORDS: dict[str, frozenset] = {
    "order_id": frozenset({"order"}),
    "transaction_id": frozenset({"transaction", "txn", "payment", "transfer", "ref", "reference"}),
}
_ENTITY_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def extract_cards(text: str) -> list[Candidate]:
    found = []
    for m in CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(
                (m.start(), m.end(), "card_number", {"last4": digits[-4:], "masked": mask_card(digits)}, 0.95)
            )
    return found


def extract_card_last4(text: str) -> list[Candidate]:
    found = []
    for m in CARD_LAST4_RE.finditer(text):
        group = "value" if m.group("value") else "value2"
        found.append((m.start(group), m.end(group), "card_last4", m.group(group), 0.9))
    for m in CARD_WORD_LAST4_RE.finditer(text):  # weaker: no "ending" / "last four" said
        found.append((m.start("value"), m.end("value"), "card_last4", m.group("value"), 0.85))
    return found


def extract_emails(text: str) -> list[Candidate]:
    return [(m.start(), m.end(), "email", m.group().lower(), 0.99) for m in EMAIL_RE.finditer(text)]


def extract_urls(text: str) -> list[Candidate]:
    """URLs; in an ``isolate``-d text a letter of another script (``SEPARATOR``) ends one ("x.com谢谢")."""
    found = []
    for m in URL_RE.finditer(text):
        url = m.group().split(SEPARATOR, 1)[0].rstrip(".,;:!?)")
        if url:
            found.append((m.start(), m.start() + len(url), "url", url, 0.9))
    return found


def extract_phones(text: str, region: str | None = None) -> list[Candidate]:
    """Phone numbers, E.164; a local number is read in ``region`` first (``region.py``), then as US, GB."""
    found = []
    for m in PHONE_RE.finditer(text):
        raw = m.group()
        if not plausible_phone(raw):
            continue
        normalized = _e164(raw, region)
        if normalized is not None:
            found.append((m.start(), m.end(), "phone_number", normalized[0], normalized[1]))
    return found


def _e164(raw: str, local: str | None = None) -> tuple[str, float] | None:
    """E.164 form and a confidence: a valid number 0.95, a possible one 0.7 (tried as US, then GB).

    ``local``: the text's region; a number valid there is read there first ("090-1234-5678" in
    Japanese text is +81...), else the English order applies.
    """
    import phonenumbers  # 40 ms to import, so only when a message has a phone-like digit run

    international = raw.startswith(("+", "00"))
    text = "+" + raw[2:] if raw.startswith("00") else raw
    if local is not None and not international:
        with contextlib.suppress(phonenumbers.NumberParseException):
            number = phonenumbers.parse(text, local)
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), 0.95
    for region in (None,) if international else ("US", "GB"):
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), 0.95
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), 0.7
    return None


def compile_patterns(patterns: list[dict] | None, reserved: set[str], where: str = "patterns") -> dict:
    """``{entity: [compiled, ...]}``: the defaults; an entity a deployment names gets its patterns only."""
    if patterns is None:
        patterns = []
    if not isinstance(patterns, list):
        raise ConfigError(
            f"{where} must be a list of {{'entity', 'pattern'}} mappings, got {patterns!r}.", "E430"
        )
    given: dict[str, list[str]] = {}
    for n, item in enumerate(patterns):
        if not isinstance(item, dict) or set(item) != {"entity", "pattern"}:
            raise ConfigError(
                f"{where}[{n}] must be a mapping with exactly the keys 'entity' and 'pattern', got {item!r}.",
                "E431",
            )
        entity, pattern = item["entity"], item["pattern"]
        if not isinstance(entity, str) or not _ENTITY_NAME.fullmatch(entity):
            raise ConfigError(
                f"{where}[{n}].entity must be a lower-case name like 'order_id' (a-z, 0-9, _), "
                f"got {entity!r}.",
                "E435",
            )
        if entity in reserved:
            raise ConfigError(
                f"{where}[{n}].entity {entity!r} is a builtin dimension with its own extractor; "
                "give your pattern another entity name.",
                "E435",
            )
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(
                f"{where}[{n}].pattern must be a non-empty regex string, got {pattern!r}.", "E432"
            )
        given.setdefault(entity, []).append(pattern)
    compiled: dict[str, list[re.Pattern]] = {}
    for entity, sources in {**DEFAULT_PATTERNS, **given}.items():
        compiled[entity] = [_compile(entity, source, where) for source in sources]
    return compiled


def _compile(entity: str, source: str, where: str) -> re.Pattern:
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise ConfigError(
            f"{where}: the pattern {source!r} for entity {entity!r} is not a valid Python regex ({exc}); "
            "fix it or remove it.",
            "E432",
        ) from exc
    if regex.search("") is not None:
        raise ConfigError(
            f"{where}: the pattern {source!r} for entity {entity!r} matches the empty string, so it would "
            "match everywhere; make it match at least one character.",
            "E434",
        )
    if regex.groups > 1 and "value" not in regex.groupindex:
        raise ConfigError(
            f"{where}: the pattern {source!r} for entity {entity!r} has {regex.groups} groups; "
            "use one group or name the entity's part (?P<value>...).",
            "E436",
        )
    return regex


def extract_patterns(text: str, compiled: dict, entities) -> list[Candidate]:
    """Matches of the regex entities in ``entities``: the ``value`` group, the single group, or the match."""
    found = []
    for entity in entities:
        for regex in compiled.get(entity, ()):
            group = "value" if "value" in regex.groupindex else (1 if regex.groups == 1 else 0)
            for m in regex.finditer(text):
                if m.group(group) and m.end(group) > m.start(group):
                    found.append((m.start(group), m.end(group), entity, m.group(group), 0.8))
    return found
