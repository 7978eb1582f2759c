"""Stable error codes of the data layer, in one place so docs and tests can rely on them.

Programs branch on ``DataError.code``; users search for it. Never renumber a code:
add a new one instead.
"""

from __future__ import annotations

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

DESCRIPTIONS: dict[str, str] = {
    EMPTY_TEXT: "empty or whitespace-only text",
    UNKNOWN_COLUMN: "text_column / label_column not in the CSV header or Hugging Face dataset",
    OVERLAPPING_SPANS: "two entity spans of one example overlap",
    SPAN_OUT_OF_RANGE: "entity span outside the text (start < 0, end > len(text) or start >= end)",
    TOO_FEW_EXAMPLES: "an intent has fewer than min_examples examples",
    CONFLICTING_LABELS: "the same text under two intents (strict=True; otherwise a DataWarning)",
    MALFORMED: "file or line that cannot be parsed: invalid JSON, YAML syntax, CSV row, encoding",
    BAD_ANNOTATION: "inline entity annotation that cannot be parsed",
    NOT_FOUND: "file, split or Hugging Face dataset not found, or format unknown",
    MISSING_KEY: "a required key is missing, or a dialogue turn has an unknown speaker",
    BAD_VALUE: "a key has a value of the wrong type or outside the allowed values",
    EMPTY_DATASET: "the source holds no examples and no dialogues",
    TOO_FEW_FOR_FOLDS: "cross-validation: an intent has fewer examples than folds (or folds < 2)",
    BAD_DECLARATION: "a synonyms / lookups / regexes item lacks a key, has an unknown key or a wrong type",
    SYNONYM_CONFLICT: "the same synonym (case-insensitive) declared for two different values",
    BAD_REGEX: "a regexes pattern that is not a valid Python regular expression",
    EMPTY_DECLARATION: "a synonym, lookup or regex with an empty name, value or no elements",
    ENTITY_TRAINING: "the entity tagger (CRF) could not be trained on the annotated examples",
    ENTITY_SCORES: "entity_scores got different numbers of gold and predicted utterances",
}
