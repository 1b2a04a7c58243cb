"""Roles and what each may do: a fixed table, so the answer never depends on data.

viewer reads every page and read-only API; finance adds cost exports (CSV, FOCUS);
ops adds recommendation decisions; admin may do all, including token management.
Finance and ops are side by side, not above each other: a cost export is a finance
decision, a recommendation status is an ops one.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    FINANCE = "finance"
    OPS = "ops"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    EXPORT_COSTS = "export_costs"
    MANAGE_RECOMMENDATIONS = "manage_recommendations"
    MANAGE_TOKENS = "manage_tokens"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.FINANCE: frozenset({Permission.READ, Permission.EXPORT_COSTS}),
    Role.OPS: frozenset({Permission.READ, Permission.MANAGE_RECOMMENDATIONS}),
    Role.ADMIN: frozenset(Permission),
}


def parse_role(value: str) -> Role:
    """The role named ``value`` or ``ValueError`` listing the valid names."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; expected one of {valid}") from None


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
