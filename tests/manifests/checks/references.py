"""Cross-references inside one rendered overlay.

Everything that points at something by name or selector must find it in the same render: an
HPA whose target was renamed, a PDB whose selector matches nothing or a NetworkPolicy that
selects no pod is accepted by the API server and silently does nothing. One small function per
referring kind; each returns the messages for its object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .findings import Finding, ref
from .selectors import matches, selected_workloads
from .workloads import pod_template

Obj = dict[str, Any]


@dataclass(frozen=True)
class Render:
    """The rendered objects with a name index."""

    objects: list[Obj]

    def find(self, kind: str, ns: str | None, name: str) -> Obj | None:
        for o in self.objects:
            meta = o["metadata"]
            if o["kind"] == kind and meta["name"] == name and meta.get("namespace") == ns:
                return o
        return None

    def exists(self, kind: str, ns: str | None, name: str) -> bool:
        return self.find(kind, ns, name) is not None


def _scaler(o: Obj, r: Render, ns: str | None) -> list[str]:
    t = o["spec"]["scaleTargetRef"]
    kind = t.get("kind") or "Deployment"
    target = r.find(kind, ns, t["name"])
    if target is None:
        return [f"scales {kind}/{t['name']}, which does not exist"]
    spec = (pod_template(target) or {}).get("spec") or {}
    containers = {c["name"] for c in spec.get("containers") or []}
    out = []
    for m in o["spec"].get("metrics") or []:
        container = (m.get("containerResource") or {}).get("container")
        if container is not None and container not in containers:
            out.append(f"scales on container {container}, which {kind}/{t['name']} lacks")
    for trig in o["spec"].get("triggers") or []:
        auth = (trig.get("authenticationRef") or {}).get("name")
        if auth and not r.exists("TriggerAuthentication", ns, auth):
            out.append(
                f"trigger {trig.get('name')} uses TriggerAuthentication {auth}, "
                "which does not exist"
            )
    return out


def _selector(o: Obj, r: Render, ns: str | None) -> list[str]:
    spec = o["spec"]
    if o["kind"] == "Service":
        if not spec.get("selector"):
            return []  # a selector-less Service has manual endpoints
        selector = {"matchLabels": spec["selector"]}
    elif o["kind"] == "NetworkPolicy":
        selector = spec.get("podSelector") or {}
        if not selector:
            return []  # the empty selector means every pod of the namespace
    else:
        selector = spec.get("selector")
    if selected_workloads(r.objects, selector, ns):
        return []
    field = "podSelector" if o["kind"] == "NetworkPolicy" else "selector"
    return [f"{field} {selector} matches no workload's pods"]


def _service_monitor(o: Obj, r: Render, ns: str | None) -> list[str]:
    spec = o["spec"]
    namespaces = (spec.get("namespaceSelector") or {}).get("matchNames") or [ns]
    services = [
        s
        for s in r.objects
        if s["kind"] == "Service"
        and s["metadata"].get("namespace") in namespaces
        and matches(spec.get("selector"), s["metadata"].get("labels") or {})
    ]
    if not services:
        return ["selects no Service"]
    ports = {p.get("name") for s in services for p in s["spec"]["ports"]}
    return [
        f"endpoint port {ep.get('port')} is not a port name of the selected Service(s)"
        for ep in spec.get("endpoints") or []
        if ep.get("port") not in ports
    ]


def _http_route(o: Obj, r: Render, ns: str | None) -> list[str]:
    out = []
    for rule in o["spec"].get("rules") or []:
        for b in rule.get("backendRefs") or []:
            svc = r.find("Service", b.get("namespace") or ns, b["name"])
            if svc is None:
                out.append(f"backend Service {b['name']} does not exist")
            elif not any(p["port"] == b.get("port") for p in svc["spec"]["ports"]):
                out.append(f"backend Service {b['name']} has no port {b.get('port')}")
    return out


def _external_secret(o: Obj, r: Render, ns: str | None) -> list[str]:
    store = o["spec"]["secretStoreRef"]
    kind = store.get("kind", "SecretStore")
    if r.exists(kind, ns if kind == "SecretStore" else None, store["name"]):
        return []
    return [f"uses {kind} {store['name']}, which does not exist"]


def _secret_store(o: Obj, r: Render, ns: str | None) -> list[str]:
    auth = (((o["spec"].get("provider") or {}).get("aws") or {}).get("auth")) or {}
    sa = (auth.get("jwt") or {}).get("serviceAccountRef")
    if sa and not r.exists("ServiceAccount", ns, sa["name"]):
        return [f"authenticates as ServiceAccount {sa['name']}, which does not exist"]
    return []


def _role_binding(o: Obj, r: Render, ns: str | None) -> list[str]:
    role = o["roleRef"]
    role_ns = ns if role["kind"] == "Role" else None
    if r.exists(role["kind"], role_ns, role["name"]):
        return []
    return [f"binds {role['kind']} {role['name']}, which does not exist"]


def _rollout(o: Obj, r: Render, ns: str | None) -> list[str]:
    canary = (o["spec"].get("strategy") or {}).get("canary") or {}
    return [
        f"analysis uses AnalysisTemplate {t['templateName']}, which does not exist"
        for t in (canary.get("analysis") or {}).get("templates") or []
        if not r.exists("AnalysisTemplate", ns, t["templateName"])
    ]


def _pod_template(o: Obj, r: Render, ns: str | None) -> list[str]:
    spec = (pod_template(o) or {}).get("spec") or {}
    provided = {
        (
            x["metadata"].get("namespace"),
            (x["spec"].get("target") or {}).get("name") or x["metadata"]["name"],
        )
        for x in r.objects
        if x["kind"] == "ExternalSecret"
    }
    out = []
    sa = spec.get("serviceAccountName", "default")
    if not r.exists("ServiceAccount", ns, sa):
        out.append(f"runs as ServiceAccount {sa}, which does not exist")
    for v in spec.get("volumes") or []:
        secret = (v.get("secret") or {}).get("secretName")
        if secret and (ns, secret) not in provided and not r.exists("Secret", ns, secret):
            out.append(f"mounts Secret {secret}, which no ExternalSecret or Secret provides")
        cm = (v.get("configMap") or {}).get("name")
        if cm and not r.exists("ConfigMap", ns, cm):
            out.append(f"mounts ConfigMap {cm}, which does not exist")
    for c in spec.get("containers") or []:
        for ef in c.get("envFrom") or []:
            cm = (ef.get("configMapRef") or {}).get("name")
            if cm and not r.exists("ConfigMap", ns, cm):
                out.append(f"container {c['name']} reads ConfigMap {cm}, which does not exist")
    return out


CHECKS: dict[str, list[Callable[[Obj, Render, str | None], list[str]]]] = {
    "HorizontalPodAutoscaler": [_scaler],
    "ScaledObject": [_scaler],
    "PodDisruptionBudget": [_selector],
    "Service": [_selector],
    "NetworkPolicy": [_selector],
    "ServiceMonitor": [_service_monitor],
    "HTTPRoute": [_http_route],
    "ExternalSecret": [_external_secret],
    "SecretStore": [_secret_store],
    "RoleBinding": [_role_binding],
    "ClusterRoleBinding": [_role_binding],
    "Rollout": [_rollout, _pod_template],
    "Deployment": [_pod_template],
    "StatefulSet": [_pod_template],
    "DaemonSet": [_pod_template],
    "Job": [_pod_template],
    "CronJob": [_pod_template],
}


def check_references(objects: list[Obj]) -> list[Finding]:
    r = Render(objects)
    return [
        Finding("references", ref(o), message)
        for o in objects
        for check in CHECKS.get(o["kind"], [])
        for message in check(o, r, o["metadata"].get("namespace"))
    ]
