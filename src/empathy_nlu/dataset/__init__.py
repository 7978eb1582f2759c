"""Data readers: every supported training-data format into one ``Dataset``, validated.

``load_data`` reads one source (empathy YAML, Rasa NLU YAML, utterance or dialogue
JSONL, JSON arrays such as NLU++, CSV, Hugging Face ``datasets``); ``load_many``
concatenates several and validates once; ``validate_dataset`` checks any
``Dataset``. Problems are ``DataError`` with stable codes (see ``codes``) and a
``file:line`` source.
"""

from __future__ import annotations

from .annotations import parse_annotated
from .loader import FORMATS, load_data, load_many
from .validation import validate_dataset

__all__ = ["FORMATS", "load_data", "load_many", "parse_annotated", "validate_dataset"]
