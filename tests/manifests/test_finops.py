"""The finops service's own deployment: config and secrets as files, its network surface."""

from __future__ import annotations

import pytest
import yaml

from .conftest import FINOPS_OVERLAYS

PROD = FINOPS_OVERLAYS[2]


def _policy(objects):
    [policy] = [o for o in objects if o["kind"] == "NetworkPolicy"]
    return policy


def test_finops_ingress_is_prometheus_and_the_internal_ingress_on_8000_only(rendered) -> None:
    policy = _policy(rendered(PROD))
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["podSelector"] == {}
    sources = {
        (
            p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
            p["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            port["port"],
        )
        for rule in policy["spec"]["ingress"]
        for p in rule["from"]
        for port in rule["ports"]
    }
    assert sources == {
        ("monitoring", "prometheus", 8000),
        ("gateway-system", "ingress-gateway-internal", 8000),
        ("monitoring", "prometheus", 4191),
    }


def test_finops_internet_egress_is_https_outside_private_ranges(rendered) -> None:
    policy = _policy(rendered(PROD))
    blocks = [
        (p["ipBlock"], [port["port"] for port in rule["ports"]])
        for rule in policy["spec"]["egress"]
        for p in rule["to"]
        if "ipBlock" in p
    ]
    internet = [(b, ports) for b, ports in blocks if b["cidr"] == "0.0.0.0/0"]
    assert internet == [
        (
            {
                "cidr": "0.0.0.0/0",
                "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"],
            },
            [443],
        )
    ]
    # every egress rule names its ports: nothing is open on all ports
    assert all(rule.get("ports") for rule in policy["spec"]["egress"])


def test_config_names_the_mounted_secret_files(rendered) -> None:
    objects = rendered(PROD)
    deploy = next(o for o in objects if o["kind"] == "Deployment")
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["config"] == "/etc/finops"
    assert mounts["credentials"] == "/var/run/secrets/finops"
    cm_name = next(
        v["configMap"]["name"]
        for v in deploy["spec"]["template"]["spec"]["volumes"]
        if v["name"] == "config"
    )
    config_map = next(o for o in objects if o["metadata"]["name"] == cm_name)
    config = yaml.safe_load(config_map["data"]["config.yaml"])
    external = next(o for o in objects if o["kind"] == "ExternalSecret")
    keys = {d["secretKey"] for d in external["spec"]["data"]}
    files = {
        config["database_url_file"],
        config["slack"]["webhook_url"]["file"],
        config["git"]["token"]["file"],
    }
    assert files == {f"/var/run/secrets/finops/{k}" for k in keys}
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["FINOPS_CONFIG"] == "/etc/finops/config.yaml"
    assert not any("secretKeyRef" in (e.get("valueFrom") or {}) for e in container["env"])


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_config_is_valid_for_the_service_in_every_overlay(rendered, tmp_path, overlay) -> None:
    """The mounted config.yaml passes the service's own validation (`finops config check`)."""
    from app.settings import load_settings

    objects = rendered(next(o for o in FINOPS_OVERLAYS if o.name == overlay))
    config_map = next(
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("finops-config")
    )
    path = tmp_path / "config.yaml"
    path.write_text(config_map["data"]["config.yaml"])
    settings = load_settings(path)
    assert [c.name for c in settings.clusters] == [f"tacos-{overlay}"]
    assert settings.log_format == "json"
    assert settings.database_url_file is not None
