"""Pod Security Standard "restricted" (Kubernetes 1.33), applied to every pod template:
Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Argo Rollouts alike. The admission
controller only sees the pods a Rollout creates, so a violation there would surface as a
rollout stuck at zero pods; checking the template catches it at review time instead.
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, ref
from .workloads import pod_template, workloads

Obj = dict[str, Any]

ALLOWED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
CONTAINER_KEYS = ("initContainers", "containers", "ephemeralContainers")


def check_namespaces(objects: list[Obj]) -> list[Finding]:
    out = []
    for ns in (o for o in objects if o["kind"] == "Namespace"):
        labels = ns["metadata"].get("labels") or {}
        for mode in ("enforce", "audit", "warn"):
            if labels.get(f"pod-security.kubernetes.io/{mode}") != "restricted":
                out.append(
                    Finding(
                        "pod-security",
                        ref(ns),
                        f"label pod-security.kubernetes.io/{mode} is not 'restricted'",
                    )
                )
    return out


def check_pod_spec(spec: Obj, subject: str) -> list[Finding]:
    out: list[Finding] = []

    def bad(msg: str) -> None:
        out.append(Finding("pod-security", subject, msg))

    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            bad(f"{key}: true is forbidden")
    psc = spec.get("securityContext") or {}
    for v in spec.get("volumes") or []:
        kinds = set(v) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            bad(f"volume {v.get('name')} uses {', '.join(sorted(kinds - ALLOWED_VOLUMES))}")
    for s in psc.get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            bad(f"sysctl {s.get('name')} is not in the safe set")
    pod_seccomp = (psc.get("seccompProfile") or {}).get("type")
    if pod_seccomp == "Unconfined":
        bad("pod seccompProfile Unconfined")
    if psc.get("runAsUser") == 0:
        bad("pod runAsUser: 0")
    if ((psc.get("windowsOptions") or {}).get("hostProcess")) is True:
        bad("pod windowsOptions.hostProcess")
    if (psc.get("seLinuxOptions") or {}).get("type", "") not in SELINUX_TYPES:
        bad("pod seLinuxOptions.type not allowed")
    for key in CONTAINER_KEYS:
        for c in spec.get(key) or []:
            name = f"{key[:-1]} {c.get('name')}"
            sc = c.get("securityContext") or {}
            if sc.get("privileged"):
                bad(f"{name}: privileged")
            if sc.get("allowPrivilegeEscalation") is not False:
                bad(f"{name}: allowPrivilegeEscalation must be false")
            if not (
                sc.get("runAsNonRoot") is True
                or (psc.get("runAsNonRoot") is True and sc.get("runAsNonRoot") is not False)
            ):
                bad(f"{name}: runAsNonRoot must be true (pod or container)")
            if sc.get("runAsUser") == 0:
                bad(f"{name}: runAsUser: 0")
            seccomp = (sc.get("seccompProfile") or {}).get("type") or pod_seccomp
            if seccomp not in ("RuntimeDefault", "Localhost"):
                bad(
                    f"{name}: seccompProfile must be RuntimeDefault or Localhost (pod or container)"
                )
            caps = sc.get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []):
                bad(f"{name}: capabilities.drop must contain ALL")
            extra = set(caps.get("add") or []) - {"NET_BIND_SERVICE"}
            if extra:
                bad(f"{name}: adds capabilities {', '.join(sorted(extra))}")
            if sc.get("procMount", "Default") != "Default":
                bad(f"{name}: procMount {sc['procMount']}")
            if (sc.get("seLinuxOptions") or {}).get("type", "") not in SELINUX_TYPES:
                bad(f"{name}: seLinuxOptions.type not allowed")
            if ((sc.get("appArmorProfile") or {}).get("type")) == "Unconfined":
                bad(f"{name}: appArmorProfile Unconfined")
            for p in c.get("ports") or []:
                if p.get("hostPort"):
                    bad(f"{name}: hostPort {p['hostPort']}")
    return out


def check_pod_security(objects: list[Obj]) -> list[Finding]:
    out = check_namespaces(objects)
    for w in workloads(objects):
        spec = (pod_template(w) or {}).get("spec") or {}
        out.extend(check_pod_spec(spec, ref(w)))
    return out
