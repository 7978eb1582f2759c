"""Names for the stable error codes of the data layer (meanings: ``empathy_nlu.errors.ERRORS``).

Programs branch on ``DataError.code``; users search for it. Never renumber a code:
add a new one instead.
"""

from __future__ import annotations

from ..errors import ERRORS

EMPTY_TEXT = "E101"
UNKNOWN_COLUMN = "E102"
OVERLAPPING_SPANS = "E103"
SPAN_OUT_OF_RANGE = "E104"
TOO_FEW_EXAMPLES = "E105"
CONFLICTING_LABELS = "E106"
MALFORMED = "E107"
BAD_ANNOTATION = "E108"
NOT_FOUND = "E109"
MISSING_KEY = "E110"
BAD_VALUE = "E111"
EMPTY_DATASET = "E112"
TOO_FEW_FOR_FOLDS = "E113"
BAD_DECLARATION = "E114"
SYNONYM_CONFLICT = "E115"
BAD_REGEX = "E116"
EMPTY_DECLARATION = "E117"
ENTITY_TRAINING = "E118"
ENTITY_SCORES = "E119"
UNKNOWN_SPEAKER = "E123"
TOO_LARGE = "E127"

# What each code means (and what to do) is registered once, in empathy_nlu.errors.ERRORS.
DESCRIPTIONS: dict[str, str] = {
    code: ERRORS[code].meaning
    for code in (
        EMPTY_TEXT,
        UNKNOWN_COLUMN,
        OVERLAPPING_SPANS,
        SPAN_OUT_OF_RANGE,
        TOO_FEW_EXAMPLES,
        CONFLICTING_LABELS,
        MALFORMED,
        BAD_ANNOTATION,
        NOT_FOUND,
        MISSING_KEY,
        BAD_VALUE,
        EMPTY_DATASET,
        TOO_FEW_FOR_FOLDS,
        BAD_DECLARATION,
        SYNONYM_CONFLICT,
        BAD_REGEX,
        EMPTY_DECLARATION,
        ENTITY_TRAINING,
        ENTITY_SCORES,
        UNKNOWN_SPEAKER,
        TOO_LARGE,
    )
}
