"""Replica counts per 5-minute step, decided the way the real controllers decide them.

The HPA computes ``ceil(demand / (request * target))`` from the previous step's
metrics (the one-step lag is why a sudden spike briefly overloads the pods), scales up
at once and scales down only after a 15-minute stabilization window. KEDA's
``aws-sqs-queue`` scaler does the same on queue depth per replica, activates only above
``activationQueueLength`` and scales to zero when the queue is quiet. Every count is
clamped to the autoscaler's min/max, which the tests check.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from collectors.demo.models import WorkloadModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Scale-down stabilization of the demo's autoscalers, in 5-minute steps.
STABILIZATION_STEPS = 3
#: Seconds of arrivals visible in the SQS queue while workers keep up.
QUEUE_SECONDS_VISIBLE = 0.25


def _lagged_stabilized(desired: IntArray, initial: int) -> IntArray:
    """replicas[t] = max(desired[t-W .. t-1]); replicas[0] = ``initial``."""
    padded = np.concatenate([np.full(STABILIZATION_STEPS, initial, dtype=np.int64), desired])
    windows = np.lib.stride_tricks.sliding_window_view(padded, STABILIZATION_STEPS)
    return np.asarray(windows.max(axis=1)[: desired.size], dtype=np.int64)


def hpa_desired(model: WorkloadModel, load: FloatArray) -> IntArray:
    """Replicas that bring CPU utilization down to the target at this load."""
    s = model.scaling
    request = model.pod_cpu_request()
    base = sum(c.cpu_base for c in model.containers)
    per_unit = sum(c.cpu_per_unit for c in model.containers)
    headroom = request * s.target / 100.0 - base
    if headroom <= 0:
        raise ValueError(f"{model.name}: idle CPU exceeds the HPA target")
    desired = np.ceil(per_unit * load / headroom).astype(np.int64)
    return np.clip(desired, s.min_replicas, s.max_replicas)


def queue_depth(load: FloatArray) -> FloatArray:
    """Visible messages in the queue for an arrival rate (messages per second)."""
    return np.asarray(load * QUEUE_SECONDS_VISIBLE, dtype=np.float64)


def keda_desired(model: WorkloadModel, load: FloatArray) -> IntArray:
    s = model.scaling
    depth = queue_depth(load)
    active = depth > s.activation
    desired = np.where(active, np.ceil(depth / s.target), 0).astype(np.int64)
    return np.clip(desired, s.min_replicas, s.max_replicas)


def replicas(model: WorkloadModel, load: FloatArray) -> IntArray:
    """Running pods per step for every scaling kind except DaemonSet (which follows nodes)."""
    s = model.scaling
    if s.kind == "fixed":
        return np.full(load.size, s.min_replicas, dtype=np.int64)
    if s.kind == "hpa":
        desired = hpa_desired(model, load)
    elif s.kind == "keda":
        desired = keda_desired(model, load)
    else:
        raise ValueError(f"{model.name}: {s.kind} replicas follow the node count")
    return _lagged_stabilized(desired, int(desired[0]))
