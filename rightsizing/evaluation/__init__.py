"""Replay evaluation: generated workload families, CSV loading, replay and scoring."""

from rightsizing.evaluation.families import FAMILIES, generate
from rightsizing.evaluation.loader import LoadedUsage, load_usage_csv, parse_usage_csv
from rightsizing.evaluation.prodlike import PROD_FLEETS, generate_cluster, generate_prodlike
from rightsizing.evaluation.replay import (
    CURRENT,
    nothing_to_score,
    replay,
    replay_group,
    replay_hindsight,
    replay_pooled,
    replay_series,
)
from rightsizing.evaluation.report import (
    BASELINES,
    BarVerdict,
    bar_verdict,
    calibration_rows,
    comparison_rows,
)
from rightsizing.evaluation.scoring import Score
from rightsizing.evaluation.series import ReplaySeries
from rightsizing.evaluation.window import WEEKLY_HISTORY_DAYS, default_window_days

__all__ = [
    "BASELINES",
    "CURRENT",
    "FAMILIES",
    "PROD_FLEETS",
    "WEEKLY_HISTORY_DAYS",
    "BarVerdict",
    "LoadedUsage",
    "ReplaySeries",
    "Score",
    "bar_verdict",
    "calibration_rows",
    "comparison_rows",
    "default_window_days",
    "generate",
    "generate_cluster",
    "generate_prodlike",
    "load_usage_csv",
    "nothing_to_score",
    "parse_usage_csv",
    "replay",
    "replay_group",
    "replay_hindsight",
    "replay_pooled",
    "replay_series",
]
