"""Settings, read from the environment once per process through get_settings()."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Below this cost a stolen hash falls too fast; development and tests go lower for speed.
MIN_PRODUCTION_BCRYPT_ROUNDS = 10
LAX_ENVS = ("development", "test")


class Settings(BaseSettings):
    """THE list of settings: tools/settings.py and the tests derive every other list from it.

    An empty variable counts as unset, so the template declares each name with "" and the
    default here holds unless an env-vars file or the shell gives a value.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_ignore_empty=True)

    # Fail closed: a deploy that names no environment gets production's checks.
    env: Literal["development", "test", "production"] = "production"
    log_level: str = "INFO"

    database_url: str = "postgresql+psycopg2://mdcreator:mdcreator@localhost:5432/mdcreator_dev"
    # Client-side deadline of one database round trip (connect, ping or statement): a host
    # that stops answering without closing the connection costs at most this, not the
    # Lambda timeout. Above the server's statement timeout, which normally fires first.
    db_timeout_s: float = Field(default=1.2, gt=0, le=10)
    db_statement_timeout_ms: int = Field(default=1000, ge=100)

    redis_url: str = "redis://localhost:6379/0"
    redis_timeout_s: float = Field(default=1.0, gt=0)
    redis_key_prefix: str = "mdc:"
    # Redis Cluster (ElastiCache Serverless is always one): route commands by hash slot.
    redis_cluster: bool = False

    # ES256 keys as JWK JSON (see keys.py): the private key only where tokens are minted.
    jwt_private_key: SecretStr = SecretStr("")
    jwt_public_keys: str = ""
    jwt_issuer: str = "mdcreator-api"
    jwt_audience: str = "mdcreator-spa"
    access_token_expire_minutes: int = Field(default=15, ge=1)
    refresh_token_expire_days: int = Field(default=30, ge=1)

    # Sessions
    refresh_reuse_grace_s: float = Field(default=10.0, ge=0)
    session_max_age_days: int = Field(default=90, ge=1)
    max_sessions_per_user: int = Field(default=50, ge=1)
    device_token_ttl_days: int = Field(default=180, ge=1)
    last_seen_interval_s: int = Field(default=60, ge=0)

    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    # Login limits: per (account, client IP), per account across IPs, per IP across accounts
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_s: int = Field(default=86_400, ge=1)
    login_lockout_cap_s: int = Field(default=900, ge=1)
    login_account_max_failures: int = Field(default=100, ge=1)
    # Wrong current passwords from a live session (password change, email change, deletion),
    # per account across IPs: only a session holder adds to it, so no outsider can aim it.
    password_confirm_max_failures: int = Field(default=10, ge=1)
    login_ip_max_failures: int = Field(default=50, ge=1)
    login_ip_window_s: int = Field(default=300, ge=1)
    signup_ip_max: int = Field(default=20, ge=1)
    signup_ip_window_s: int = Field(default=3600, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    # Mail: verification, password reset and email change links.
    # smtp://user:pass@host:port, smtps:// for implicit TLS, ?starttls=true to upgrade;
    # unset in development/test, mails go to the log (console backend).
    smtp_url: SecretStr = SecretStr("")
    mail_from: str = "MD Creator <no-reply@localhost>"
    app_url: str = "http://localhost:5173"
    email_token_ttl_s: int = Field(default=24 * 3600, ge=60)
    password_reset_ttl_s: int = Field(default=3600, ge=60)
    email_change_ttl_s: int = Field(default=3600, ge=60)
    # SMTP may take until mail_send_deadline_s after the request began; forgot and email
    # change answer at mail_answer_floor_s whether or not a mail went out (no account oracle).
    mail_send_deadline_s: float = Field(default=1.2, gt=0)
    mail_answer_floor_s: float = Field(default=1.5, gt=0)
    mail_ip_max: int = Field(default=30, ge=1)
    mail_ip_window_s: int = Field(default=3600, ge=1)
    password_reset_email_max: int = Field(default=3, ge=1)
    email_verify_max: int = Field(default=3, ge=1)
    email_change_max: int = Field(default=3, ge=1)
    mail_address_window_s: int = Field(default=3600, ge=1)

    # Workspaces: how many one user may own, and invitations by mail (their link's life,
    # and how many may go out per workspace and per mailbox in a window, so neither a
    # workspace nor a crowd of workspaces can flood one mailbox).
    max_workspaces_per_user: int = Field(default=100, ge=1)
    invitation_ttl_days: int = Field(default=7, ge=1, le=90)
    invitation_workspace_max: int = Field(default=50, ge=1)
    invitation_mailbox_max: int = Field(default=5, ge=1)
    invitation_window_s: int = Field(default=3600, ge=1)

    # Documents: the size of one (its UTF-8 markdown), how many live ones a workspace holds,
    # how long trash is kept before the scheduled purge, and the window in which one user's
    # saves fold into their last revision (an autosaving editor makes one, not thousands).
    max_document_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_documents_per_workspace: int = Field(default=10_000, ge=1)
    trash_retention_days: int = Field(default=30, ge=1)
    revision_coalesce_s: int = Field(default=300, ge=0)
    # Public share links: requests per client IP in a window (unknown tokens count too).
    share_ip_max: int = Field(default=120, ge=1)
    share_ip_window_s: int = Field(default=60, ge=1)

    # Browser sessions (cookie mode, cookies.py). The SPA's origins, comma-separated: the
    # template passes its CorsOrigins parameter here, so the gateway's CORS and the
    # functions' Origin check name the same list. SameSite of the cookies: Lax for an SPA on
    # the API's site, None for one on another site (then CORS is what guards the cookie).
    cors_origins: str = "http://localhost:5173,http://localhost:5174"
    cookie_samesite: Literal["Lax", "Strict", "None"] = "Lax"

    @field_validator("cookie_samesite", mode="before")
    @classmethod
    def _samesite_any_case(cls, value: object) -> object:
        return value.capitalize() if isinstance(value, str) else value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: str) -> str:
        for origin in value.split(","):
            parts = urlsplit(origin.strip())
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or f"{parts.scheme}://{parts.netloc}" != origin.strip()
            ):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port])")
        return value

    def document_body_bytes(self) -> int:
        """The body limit of functions that take a document: its JSON may escape every
        newline, quote and backslash of a full-size document (two bytes each), plus the
        rest of the body. Control characters (six bytes as \\uXXXX) past that meet 413."""
        return 2 * self.max_document_bytes + self.max_body_bytes

    def spa_origins(self) -> frozenset[str]:
        return frozenset(origin.strip() for origin in self.cors_origins.split(","))

    @model_validator(mode="after")
    def _check_mail_timing(self) -> Settings:
        if self.mail_send_deadline_s >= self.mail_answer_floor_s:
            raise ValueError("MAIL_SEND_DEADLINE_S must be below MAIL_ANSWER_FLOOR_S")
        return self

    # Deploy: where secret settings come from, and Postgres behind RDS Proxy.
    # ARNs of Secrets Manager secrets, fetched at init (aws_secrets.py); empty = the setting
    # itself comes from the environment (local runs, tests).
    database_url_secret_arn: str = ""
    jwt_private_key_secret_arn: str = ""
    jwt_public_keys_secret_arn: str = ""
    smtp_url_secret_arn: str = ""
    # RDS Proxy endpoint: connect there instead of the database URL's host.
    database_proxy_endpoint: str = ""

    def secret_arns(self) -> dict[str, str]:
        """Setting name → the ARN its value is fetched from ("" where none is configured)."""
        from .aws_secrets import SECRET_ARNS

        return {name: getattr(self, arn_field) for name, arn_field in SECRET_ARNS.items()}

    @model_validator(mode="after")
    def _refuse_weak_settings(self) -> Settings:
        if self.env in LAX_ENVS:
            return self
        if self.bcrypt_rounds < MIN_PRODUCTION_BCRYPT_ROUNDS:
            raise ValueError(
                f"BCRYPT_ROUNDS must be at least {MIN_PRODUCTION_BCRYPT_ROUNDS} when ENV={self.env}"
            )
        # Mailed links carry tokens to APP_URL, and CORS_ORIGINS may use the refresh cookie:
        # the development defaults (http://localhost) would hand both to the user's machine.
        for name, url in [
            ("APP_URL", self.app_url),
            *(("CORS_ORIGINS", o) for o in self.spa_origins()),
        ]:
            if not _is_public_https(url):
                raise ValueError(f"{name} must be https on a public host when ENV={self.env}")
        return self


def _is_public_https(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name, not an address


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    arns = settings.secret_arns()
    if not any(arns.values()):
        return settings
    from .aws_secrets import secret_values

    # Fetched values take precedence over the environment, then every check runs on them.
    fetched: dict[str, Any] = secret_values(arns)
    return Settings(**fetched)
