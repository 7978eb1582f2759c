"""The settings of one insights run and the column names of a scored log, checked once.

Why a frozen dataclass: both engines and every insight read the same settings, and the settings
are written into ``insights.json`` so a reader knows what a figure was computed with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import LogError

PERIODS = ("day", "week", "month")
ENGINES = ("local", "spark")
UNPLACED = "out_of_scope"  # the label of contacts the model did not place (out of scope or no intent)


@dataclass(frozen=True)
class ColumnNames:
    """Names of the input columns in the scored log (the prediction columns have fixed names)."""

    id: str = "id"
    customer_id: str = "customer_id"
    timestamp: str = "timestamp"
    channel: str = "channel"
    text: str = "text"

    def required(self) -> dict[str, str]:
        """role -> column name of every column insights read (prediction columns by their fixed name)."""
        inputs = {"id": self.id, "customer_id": self.customer_id, "timestamp": self.timestamp}
        inputs |= {"channel": self.channel, "text": self.text}
        return inputs | {name: name for name in PREDICTION_COLUMNS}


# Prediction columns that insights read; ``need`` and ``sentiment_score`` are optional.
PREDICTION_COLUMNS = (
    "intent",
    "confidence",
    "out_of_scope",
    "sentiment",
    "escalation_risk",
    "handoff_recommended",
)
OPTIONAL_COLUMNS = ("need", "sentiment_score")


@dataclass(frozen=True)
class InsightOptions:
    """Every setting of a run; ``check()`` raises ``LogError`` (E843, E844) on a bad one."""

    period: str = "week"
    engine: str = "local"
    repeat_days: float = 7.0
    low_confidence: float = 0.5  # below it a placed contact still counts as unplaced for clustering
    recent_periods: int = 1  # the latest periods compared with all earlier ones (emerging)
    alpha: float = 0.05  # false discovery rate of the Benjamini-Hochberg correction
    min_cluster_size: int = 0  # 0: chosen from the number of unplaced messages (candidates.py)
    max_unplaced: int = 20_000  # at most this many unplaced messages are clustered (evenly spread)
    examples_per_candidate: int = 5
    columns: ColumnNames = field(default_factory=ColumnNames)

    def check(self) -> InsightOptions:
        if self.period not in PERIODS:
            raise LogError(f"--period must be one of {', '.join(PERIODS)}, got {self.period!r}.", "E843")
        problems = [
            (f"--engine must be one of {', '.join(ENGINES)}", self.engine in ENGINES),
            ("--repeat-days must be > 0", self.repeat_days > 0),
            ("--low-confidence must be within [0, 1]", 0 <= self.low_confidence <= 1),
            ("--recent-periods must be >= 1", self.recent_periods >= 1),
            ("--alpha must be within (0, 1)", 0 < self.alpha < 1),
            (
                "--min-cluster-size must be 0 (automatic) or >= 2",
                self.min_cluster_size in (0,) or self.min_cluster_size >= 2,
            ),
            ("--max-unplaced must be >= 10", self.max_unplaced >= 10),
            ("examples per candidate must be >= 1", self.examples_per_candidate >= 1),
        ]
        wrong = [message for message, ok in problems if not ok]
        if wrong:
            raise LogError("; ".join(wrong) + ".", "E844")
        return self

    def to_dict(self) -> dict:
        """The settings as written into ``insights.json`` (without the engine: the two must agree)."""
        settings = asdict(self)
        settings.pop("engine")
        return settings
