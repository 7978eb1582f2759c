"""The region a text's numbers are written for: which country a local phone number dials, what "¥" is.

Why from the language and the script: a support message says no country, but "090-1234-5678" in a
Japanese sentence is a Japanese mobile and "¥200" in a Chinese one is renminbi. A language hint
(``TurnDoc.language``, a ``LanguageGuess``, or a code such as ``"es"`` or ``"zh-TW"``) decides
first; without one the script does (kana: Japan, Hangul: Korea, Han: mainland China, Thai:
Thailand, Arabic: Saudi Arabia). Latin text without a hint has no region: English rules apply.
"""

from __future__ import annotations

from ..language.scripts import scripts_in

__all__ = ["LANGUAGE_REGIONS", "language_code", "region_of"]

# The market a language's local numbers most likely belong to (a deployment's customers may differ:
# pass a hint such as "es-MX" or "ar-EG" to choose another).
LANGUAGE_REGIONS = {
    "ja": "JP",
    "ko": "KR",
    "zh": "CN",
    "th": "TH",
    "ar": "SA",
    "es": "ES",
    "fr": "FR",
    "de": "DE",
    "it": "IT",
    "pt": "BR",
    "nl": "NL",
    "tr": "TR",
    "ru": "RU",
    "pl": "PL",
    "vi": "VN",
    "id": "ID",
    "ms": "MY",
    "hi": "IN",
}
_TRADITIONAL = {"hant": "TW", "tw": "TW", "hk": "HK", "mo": "MO"}
_SCRIPT_REGIONS = (("kana", "JP"), ("hangul", "KR"), ("han", "CN"), ("thai", "TH"), ("arabic", "SA"))


def language_code(language) -> str | None:
    """The code of a ``LanguageGuess``, a code string, or None."""
    code = getattr(language, "code", language)
    return code if isinstance(code, str) and code else None


def region_of(text: str, language=None) -> str | None:
    """An ISO 3166 region for ``text``'s local numbers, or None (English rules)."""
    code = language_code(language)
    if code is not None:
        parts = code.replace("_", "-").split("-")
        base = parts[0].lower()
        for part in parts[1:]:
            tail = part.lower()
            if base == "zh" and tail in _TRADITIONAL:
                return _TRADITIONAL[tail]
            if len(part) == 2 and part.isalpha():
                return part.upper()  # "es-MX", "ar-EG"
        if base in LANGUAGE_REGIONS:
            return LANGUAGE_REGIONS[base]
    if text.isascii():
        return None
    scripts = scripts_in(text)
    return next((region for script, region in _SCRIPT_REGIONS if script in scripts), None)
