"""The Spark engine: the aggregated tables of ``tables.py`` computed with Spark SQL.

Only the small tables (counts per period, channel and intent; one row per intent) and the
unplaced messages come back to this process; the statistics, the clustering and the report are
the same Python code as for the local engine, so both give the same ``insights.json``.
"""

from __future__ import annotations

from ..errors import LogError
from .options import UNPLACED, InsightOptions
from .source import Sources
from .tables import Aggregates, normalized


def local_session(master: str = "local[2]"):
    """A local SparkSession in UTC, without UI, bound to the loopback interface (no network)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise LogError("--engine spark needs pyspark: pip install 'empathy-nlu[spark]'.", "E846") from exc
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("empathy-nlu insights")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate()
        )
    except Exception as exc:  # Java missing or unusable: pyspark raises several kinds
        raise LogError(f"--engine spark could not start Spark ({exc}).", "E846") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def aggregate(sources: Sources, options: InsightOptions, spark=None) -> Aggregates:
    """The tables of ``tables.py``; a session is started (and stopped) unless ``spark`` is given."""
    own = spark is None
    spark = spark or local_session()
    try:
        frame = _prepared(spark.read.parquet(*sources.files), sources, options).cache()
        return normalized(_tables(frame, options))
    finally:
        if own:
            spark.stop()


def _prepared(frame, sources: Sources, options: InsightOptions):
    from pyspark.sql import functions as F

    names = options.columns.required()
    wanted = {**names, **{name: name for name in sources.present_optional}}
    frame = frame.select(*(F.col(f"`{column}`").alias(role) for role, column in wanted.items()))
    out_of_scope = F.coalesce(F.col("out_of_scope"), F.lit(False))
    no_intent = F.col("intent").isNull() | (F.col("intent") == "")
    label = F.when(out_of_scope | no_intent, F.lit(UNPLACED)).otherwise(F.col("intent"))
    stamp = F.try_to_timestamp(F.col("timestamp")) if sources.timestamp_is_text else F.col("timestamp")
    need = F.col("need") if "need" in sources.present_optional else F.lit(None).cast("string")
    return frame.select(
        "*",
        label.alias("label"),
        out_of_scope.alias("oos"),
        stamp.cast("timestamp").alias("ts"),
        F.coalesce(F.col("channel"), F.lit("unknown")).alias("channel_key"),
        F.when(need.isNotNull() & (need != ""), need).otherwise(label).alias("need_key"),
    ).withColumn("period", _period(F.col("ts"), options.period))


def _period(ts, period: str):
    from pyspark.sql import functions as F

    if period == "month":
        return F.date_format(ts, "yyyy-MM")
    if period == "week":
        return F.date_format(F.date_trunc("week", ts), "yyyy-MM-dd")
    return F.date_format(ts, "yyyy-MM-dd")


def _tables(frame, options: InsightOptions) -> Aggregates:
    from pyspark.sql import functions as F

    bounds = frame.agg(
        F.min("ts").alias("first"),
        F.max("ts").alias("last"),
        F.count_distinct("customer_id").alias("customers"),
        F.sum(F.col("ts").isNull().cast("int")).alias("bad_stamps"),
    ).first()
    if bounds["bad_stamps"]:
        raise LogError(
            f"column {options.columns.timestamp!r}: {bounds['bad_stamps']} rows have no readable timestamp.",
            "E845",
        )
    counts = frame.groupBy("period", F.col("channel_key").alias("channel"), F.col("label").alias("intent"))
    return Aggregates(
        counts=counts.agg(F.count(F.lit(1)).alias("contacts")).toPandas(),
        experience=_experience(frame).toPandas(),
        repeat=_repeat(frame, options.repeat_days).toPandas(),
        unplaced=_unplaced(frame, options.low_confidence).toPandas(),
        customers=int(bounds["customers"]),
        first=_iso(bounds["first"]),
        last=_iso(bounds["last"]),
    )


def _iso(value) -> str:
    """A timestamp Spark returned (naive, in the session's UTC) as ISO 8601 with its offset."""
    from datetime import UTC

    return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.isoformat()


def _experience(frame):
    from pyspark.sql import functions as F

    score = F.col("sentiment_score") if "sentiment_score" in frame.columns else F.lit(None).cast("double")
    return frame.groupBy(F.col("label").alias("intent")).agg(
        F.count(F.lit(1)).alias("contacts"),
        F.count("sentiment").alias("with_sentiment"),
        F.sum((F.col("sentiment") == "negative").cast("int")).alias("negative"),
        F.sum(score.cast("double")).alias("score_sum"),
        F.count(score).alias("score_known"),
        F.sum(F.col("escalation_risk").cast("double")).alias("risk_sum"),
        F.count("escalation_risk").alias("risk_known"),
        F.sum(F.coalesce(F.col("handoff_recommended"), F.lit(False)).cast("int")).alias("handoffs"),
    )


def _repeat(frame, days: float):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    placed = frame.where((F.col("label") != UNPLACED) & F.col("customer_id").isNotNull())
    order = Window.partitionBy("customer_id", "need_key").orderBy("ts", "id")
    micros = F.unix_micros(F.col("ts"))
    gaps = placed.withColumn("gap", (micros - F.lag(micros).over(order)) / F.lit(3_600_000_000.0))
    base = placed.groupBy("need_key").agg(
        F.count(F.lit(1)).alias("contacts"), F.count_distinct("customer_id").alias("customers")
    )
    again = (
        gaps.where(F.col("gap") <= days * 24)
        .groupBy("need_key")
        .agg(
            F.count_distinct("customer_id").alias("repeat_customers"),
            F.count(F.lit(1)).alias("repeat_contacts"),
            F.median("gap").alias("median_hours"),
        )
    )
    return base.join(again, "need_key", "left").withColumnRenamed("need_key", "intent")


def _unplaced(frame, threshold: float):
    from pyspark.sql import functions as F

    unplaced = (F.col("label") == UNPLACED) | (F.col("confidence") < threshold)
    return frame.where(unplaced & F.col("text").isNotNull()).select(
        "id",
        "text",
        F.col("label").alias("intent"),
        F.col("confidence").cast("double"),
        F.col("oos").alias("out_of_scope"),
    )
