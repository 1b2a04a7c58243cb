"""Configuration: one YAML file plus ``FINOPS_*`` environment overrides.

Precedence, highest first: environment (``FINOPS_DATABASE_URL``, nested keys with
``__`` as in ``FINOPS_AWS__REGION``), then the YAML file (``--config`` or
``FINOPS_CONFIG``), then defaults. Validation errors are rewritten into one
``ConfigError`` that names each key, the value found and what was expected, so a
wrong setting stops start-up with a message an operator can act on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from app.errors import ConfigError
from app.secrets import SecretRef
from collectors.cost_tags import CostTag

DEFAULT_DB_URL = "sqlite:///finops.db"
_CLUSTER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CostTagSetting(_Strict):
    label: str = Field(min_length=1)
    aws_tag: str = Field(min_length=1)


def default_cost_tags() -> dict[str, CostTagSetting]:
    return {
        "service": CostTagSetting(label="app.kubernetes.io/name", aws_tag="Service"),
        "team": CostTagSetting(label="team", aws_tag="Team"),
        "cost_center": CostTagSetting(label="cost-center", aws_tag="CostCenter"),
        "environment": CostTagSetting(label="environment", aws_tag="Environment"),
    }


class PrometheusSetting(_Strict):
    url: str
    bearer_token: SecretRef | None = None
    basic_auth_user: str | None = None
    basic_auth_password: SecretRef | None = None
    ca_file: Path | None = None
    sigv4_region: str | None = None  # Amazon Managed Prometheus
    cluster_label: str | None = None  # e.g. "cluster" on Thanos/Mimir/AMP
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Usage queries in flight at once: 2 overlaps our decoding with Prometheus's
    # evaluation (a 14-day backfill of 1,000 workloads: 77 s at 1, 49 s at 2, about
    # 120 MiB more memory at its peak; docs/benchmarks-collectors.md).
    query_concurrency: int = Field(default=2, ge=1, le=8)
    # gzip answers: 7x fewer bytes, but Prometheus spends about as much CPU compressing
    # as evaluating; worth it only over a slow or metered link.
    compress_responses: bool = False

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError("expected an http(s):// URL such as http://prometheus:9090")
        if "@" in v.split("/")[2]:
            raise ValueError(
                "credentials in the URL are not allowed: use bearer_token or basic_auth"
            )
        return v.rstrip("/")


class KubernetesSetting(_Strict):
    mode: Literal["api", "prometheus"] = "api"
    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = False


class ClusterSetting(_Strict):
    name: str
    namespaces: list[str] = Field(default_factory=list, description="empty: all namespaces")
    shared_namespaces: list[str] = Field(
        default_factory=lambda: ["kube-system", "monitoring", "finops"]
    )
    prometheus: PrometheusSetting | None = None
    kubernetes: KubernetesSetting = Field(default_factory=KubernetesSetting)

    @field_validator("name")
    @classmethod
    def _dns_label(cls, v: str) -> str:
        if not _CLUSTER_NAME.match(v) or len(v) > 63:
            raise ValueError("expected a DNS label (lowercase letters, digits and '-')")
        return v


class AwsSetting(_Strict):
    enabled: bool = True
    region: str = "us-east-1"
    accounts: list[str] = Field(default_factory=list)
    cost_metric: Literal["AmortizedCost", "UnblendedCost"] = "AmortizedCost"
    cluster_tag_key: str = "eks:cluster-name"
    endpoint_url: str | None = None  # for moto_server or a VPC endpoint
    refetch_days: int = Field(default=3, ge=0, le=31)

    @field_validator("accounts")
    @classmethod
    def _account_ids(cls, v: list[str]) -> list[str]:
        for acc in v:
            if not re.fullmatch(r"\d{12}", acc):
                raise ValueError(f"expected 12-digit AWS account ids, got {acc!r}")
        return v


class PricingSetting(_Strict):
    cpu_to_memory_cost_ratio: float = Field(
        default=10.0, gt=0, description="$/core-hour ÷ $/GiB-hour"
    )
    instance_price_overrides: dict[str, float] = Field(default_factory=dict)
    idle: Literal["separate", "share"] = "separate"
    shared_split: Literal["even", "weighted"] = "weighted"


def _validate_cron(v: str) -> str:
    fields = v.split()
    if len(fields) != 5:
        raise ValueError("expected a 5-field cron expression such as '*/15 * * * *'")
    return v


class SchedulesSetting(_Strict):
    """Cron expressions in UTC (standard crontab fields; day-of-week 0 or 7 = Sunday)."""

    prometheus: str = "*/15 * * * *"
    kubernetes: str = "*/30 * * * *"
    aws_costs: str = "17 */6 * * *"
    allocation: str = "40 * * * *"
    budgets: str = "50 */3 * * *"
    rightsizing: str = "0 6 * * 1"

    @field_validator("*")
    @classmethod
    def _cron(cls, v: str) -> str:
        return _validate_cron(v)


class SlackSetting(_Strict):
    webhook_url: SecretRef | None = None
    bot_token: SecretRef | None = None
    channel: str | None = None
    base_url: str | None = None  # only for tests and proxies


class GitSetting(_Strict):
    repo_url: str | None = None
    base_branch: str = "main"
    provider: Literal["github", "gitlab", "none"] = "github"
    api_url: str = "https://api.github.com"
    repository: str | None = None  # owner/name
    token: SecretRef | None = None
    manifests_path: str = "manifests"


class ServerSetting(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None
    # Web worker processes; the scheduler stays in the parent process (one per replica).
    workers: int = Field(default=1, ge=1, le=64)


class AuthSetting(_Strict):
    enabled: bool = True
    proxy_header: str | None = None  # e.g. X-Forwarded-Email from oauth2-proxy
    proxy_roles: dict[str, str] = Field(default_factory=dict)  # email or *@domain -> role
    session_secret: SecretRef | None = None  # signs cookies; generated per database if unset
    session_hours: int = Field(default=12, ge=1, le=24 * 30)


class RightsizingSetting(_Strict):
    # The strategy of the weekly run and `finops rightsizing recommend`, and its
    # settings over the defaults (docs/rightsizing.md), checked when the config loads.
    strategy: str = "tacos"
    settings: dict[str, str | float | int | bool] = Field(default_factory=dict)
    # Guardrails over their defaults (min_history_days, min_data_points,
    # change_threshold, min_monthly_saving, max_decrease, floors, HPA target bounds).
    guardrails: dict[str, str | float | int] = Field(default_factory=dict)
    # Processes for the weekly engine run; 0: one per CPU (at most 8). Small fleets
    # (under 200 containers per process) run in one process whatever this says.
    workers: int = Field(default=0, ge=0, le=64)

    @model_validator(mode="after")
    def _strategy_builds(self) -> RightsizingSetting:
        from rightsizing import RightsizingError, make_strategy
        from rightsizing.guardrails import guardrails_from

        try:
            make_strategy(self.strategy, self.settings)
            guardrails_from(self.guardrails)
        except RightsizingError as exc:
            raise ValueError(str(exc)) from None
        return self


class BudgetSetting(_Strict):
    name: str
    scope: str = "total"  # total | <cost tag>:<value> e.g. team:checkout
    period: Literal["monthly", "weekly", "quarterly"] = "monthly"
    amount: float = Field(gt=0)
    thresholds: list[int] = Field(default_factory=lambda: [80, 100])


class Settings(BaseSettings):
    """The whole configuration. See ``docs/configuration.md`` for every key."""

    model_config = SettingsConfigDict(
        env_prefix="FINOPS_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    database_url: str = DEFAULT_DB_URL
    database_url_file: Path | None = Field(
        default=None, description="read the URL (with its password) from this file instead"
    )
    database_pool_size: int = Field(default=5, ge=1, le=100)
    demo: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    clusters: list[ClusterSetting] = Field(default_factory=list)
    aws: AwsSetting = Field(default_factory=AwsSetting)
    cost_tags: dict[str, CostTagSetting] = Field(default_factory=default_cost_tags)
    pricing: PricingSetting = Field(default_factory=PricingSetting)
    schedules: SchedulesSetting = Field(default_factory=SchedulesSetting)
    slack: SlackSetting = Field(default_factory=SlackSetting)
    git: GitSetting = Field(default_factory=GitSetting)
    server: ServerSetting = Field(default_factory=ServerSetting)
    auth: AuthSetting = Field(default_factory=AuthSetting)
    budgets: list[BudgetSetting] = Field(default_factory=list)
    rightsizing: RightsizingSetting = Field(default_factory=RightsizingSetting)
    scheduler_enabled: bool = True

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, v: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", v):
            raise ValueError("expected sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB")
        return v

    @field_validator("cost_tags")
    @classmethod
    def _tag_names(cls, v: dict[str, CostTagSetting]) -> dict[str, CostTagSetting]:
        for name in v:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"cost tag names are lower_snake_case, got {name!r}")
        if "service" not in v:
            raise ValueError("a `service` cost tag is required")
        return v

    @model_validator(mode="after")
    def _budget_scopes(self) -> Settings:
        dims = {"namespace", "cluster", *self.cost_tags}
        for i, b in enumerate(self.budgets):
            dim, sep, value = b.scope.partition(":")
            if b.scope != "total" and (not sep or not value or dim not in dims):
                raise ValueError(
                    f"budgets.{i}.scope: got {b.scope!r} — expected `total` or `<dimension>:<value>` "
                    f"with a dimension in {', '.join(sorted(dims))}"
                )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file; the file arrives as init kwargs (see load_settings).
        return (env_settings, init_settings)

    def effective_database_url(self) -> str:
        """The URL to connect with: from ``database_url_file`` when set (a mounted Secret)."""
        if self.database_url_file is None:
            return self.database_url
        try:
            url = self.database_url_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"database_url_file: cannot read {self.database_url_file}: {exc.strerror}"
            ) from exc
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
            raise ConfigError(
                f"database_url_file: {self.database_url_file} does not hold a sqlite:// or "
                "postgresql:// URL"
            )
        return url

    def cost_tag_list(self) -> list[CostTag]:
        return [
            CostTag(name=n, label=t.label, aws_tag=t.aws_tag) for n, t in self.cost_tags.items()
        ]

    def safe_dict(self) -> dict[str, Any]:
        """A dict for display: secrets are references only, the DB password is masked."""
        data = self.model_dump(mode="json")
        data["database_url"] = mask_url(self.database_url)
        return data


def mask_url(url: str) -> str:
    """Hide a password in a database URL before it is shown or logged."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _format_validation_error(exc: ValidationError, origin: str) -> str:
    lines = [f"invalid configuration ({origin}):"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(root)"
        value = err.get("input")
        expected = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            lines.append(f"  {key}: missing — this setting is required")
        elif err["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key (value {value!r}) — check the spelling")
        elif isinstance(value, dict | list):  # a section's own check: the message says it
            lines.append(f"  {key}: {expected}")
        else:
            lines.append(f"  {key}: got {value!r} — {expected}")
    return "\n".join(lines)


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {path}: expected a mapping at the top, got {type(data).__name__}"
        )
    return data


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Read the YAML file (if any), apply ``FINOPS_*`` env, validate, or raise ``ConfigError``."""
    if path is None and os.environ.get("FINOPS_CONFIG"):
        path = os.environ["FINOPS_CONFIG"]
    data: dict[str, Any] = read_config_file(Path(path)) if path is not None else {}
    data.update(overrides)
    origin = f"file {path} and FINOPS_* environment" if path else "FINOPS_* environment"
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, origin)) from None
