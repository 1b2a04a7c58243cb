"""docs/deployment.md states the prod sizing; this keeps its table equal to the manifests."""

from __future__ import annotations

import re
from decimal import Decimal

from .checks.model import load_model
from .checks.scaling import bounds, scalers
from .checks.workloads import pod_resources
from .conftest import REPO, TACOS_OVERLAYS

ROW = re.compile(
    r"^\| (?P<svc>[\w-]+) \| (?P<cpu>\d+)m, (?P<mem>\d+)Mi \| (?P<min>\d+)\.\.(?P<max>\d+) "
    r"\(\+(?P<surge>\d+)\)[^|]* \| (?P<rps>\d+)[^|]* \| [^|]+ \| "
    r"(?P<cap>[\d,]+) \| (?P<need>[\d,]+) \|$",
    re.M,
)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_prod_sizing_table_matches_the_manifests(rendered) -> None:
    objects = rendered(TACOS_OVERLAYS[2])
    text = (REPO / "docs" / "deployment.md").read_text()
    block = text.split("<!-- prod-sizing:start -->")[1].split("<!-- prod-sizing:end -->")[0]
    rows = {m["svc"]: m for m in ROW.finditer(block)}
    namespace = next(o for o in objects if o["kind"] == "Namespace")
    index = scalers(objects)
    need = load_model(objects).service_rps()
    workloads = [o for o in objects if o["kind"] in ("Rollout", "Deployment")]
    assert sorted(rows) == sorted(w["metadata"]["name"] for w in workloads)
    for w in workloads:
        name = w["metadata"]["name"]
        row = rows[name]
        b = bounds(w, index)
        res = pod_resources(w, namespace)
        per_pod = int(
            w["spec"]["template"]["metadata"]["annotations"]["capacity.tacos.io/rps-per-pod"]
        )
        assert (int(row["min"]), int(row["max"]), int(row["surge"])) == (
            b.min_replicas,
            b.max_replicas,
            b.surge,
        ), name
        assert Decimal(row["cpu"]) / 1000 == res.requests["cpu"], name
        assert Decimal(row["mem"]) * 2**20 == res.requests["memory"], name
        assert int(row["rps"]) == per_pod, name
        assert _number(row["cap"]) == b.max_replicas * per_pod, name
        assert _number(row["need"]) == need[name], name
