"""Builtin entity extractors: money, dates and times, contact details, card and order references.

Why rules and not a model: these entities have a form (a currency, a calendar, a Luhn check)
that a deployment should get without labelling data, with normalized values a downstream
system can use as is. ``mask_personal_data`` keeps card numbers, e-mails and phones out of
anything stored; ``resolve_overlaps`` merges these entities with a trained tagger's.
See docs/entities.md.
"""

from __future__ import annotations

from .masking import mask_card_numbers, mask_personal_data
from .parser import DIMENSIONS, BuiltinEntityParser, check_entities_config
from .resolve import resolve_overlaps

__all__ = [
    "DIMENSIONS",
    "BuiltinEntityParser",
    "check_entities_config",
    "mask_card_numbers",
    "mask_personal_data",
    "resolve_overlaps",
]
