"""Empathy cues: frustration, urgency, churn risk, gratitude and requests for a human, with evidence.

Why a separate detector: how a customer feels changes the right answer as much as what they
ask, and an agent (human or bot) needs the reason, not only a score. See docs/cues.md.
"""

from __future__ import annotations

from .detector import CUES, CueDetector
from .evaluation import evaluate_cues

__all__ = ["CUES", "CueDetector", "evaluate_cues"]
