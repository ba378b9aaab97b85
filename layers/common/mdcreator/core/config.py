"""Settings, read from the environment once per process through get_settings()."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

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
    # Wrong current passwords from live sessions (password change, email change, deletion),
    # per account across IPs, a backstop behind each session's own budget: only a session
    # holder adds to it, so no outsider can aim it.
    password_confirm_max_failures: int = Field(default=10, ge=1)
    login_ip_max_failures: int = Field(default=50, ge=1)
    login_ip_window_s: int = Field(default=300, ge=1)
    # Every password check, right or wrong, per minute: per client IP, and per proof an
    # attempt brings (none: the account's bucket; a device token: its own; a session
    # confirming its password: its own), so no flood at the address blocks a browser that
    # has a device token, nor a session another session's changes.
    login_ip_attempts_per_min: int = Field(default=60, ge=1)
    login_account_attempts_per_min: int = Field(default=10, ge=1)
    # Wrong passwords a device token may carry before it is revoked: a stolen one lifts the
    # account-wide limit for this many guesses, not for good.
    device_token_max_failures: int = Field(default=5, ge=1)
    # Wrong current passwords a session may give before it is ended.
    password_confirm_session_max_failures: int = Field(default=3, ge=1)
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
    # The notice of an email change carries a link back to the old address, this long.
    email_change_revert_days: int = Field(default=7, ge=1)
    # New-device mails per account and hour; one device's logins mail once per dedupe window.
    new_device_mail_max: int = Field(default=3, ge=1)
    new_device_dedupe_days: int = Field(default=30, ge=1)
    new_device_link_ttl_s: int = Field(default=7 * 86_400, ge=60)
    # How long a login waits for its new-device mail at most (the relay gets no longer).
    new_device_mail_wait_s: float = Field(default=0.3, gt=0)

    # Security events older than this are purged by the scheduled purge function.
    security_event_retention_days: int = Field(default=365, ge=1)

    # Workspaces: how many one user may own, and invitations by mail (their link's life,
    # and how many may go out per workspace and per mailbox in a window, so neither a
    # workspace nor a crowd of workspaces can flood one mailbox).
    max_workspaces_per_user: int = Field(default=100, ge=1)
    invitation_ttl_days: int = Field(default=7, ge=1, le=90)
    invitation_workspace_max: int = Field(default=50, ge=1)
    invitation_mailbox_max: int = Field(default=5, ge=1)
    invitation_window_s: int = Field(default=3600, ge=1)

    # Attachments: uploaded by the browser straight to S3 with a presigned POST (a Lambda
    # behind API Gateway takes at most 6 MB), read through short-lived presigned GETs.
    # S3_ENDPOINT_URL points boto3 at a local S3 API (moto's server); empty in production.
    s3_endpoint_url: str = ""
    s3_bucket: str = "mdcreator-attachments"
    max_upload_size_mb: int = Field(default=50, ge=1, le=5 * 1024)
    upload_url_ttl_s: int = Field(default=900, ge=60, le=3600)
    download_url_ttl_s: int = Field(default=300, ge=10, le=3600)
    workspace_storage_quota_mb: int = Field(default=1024, ge=1)
    # An upload still pending this long is deleted by the scheduled purge.
    pending_upload_max_age_h: int = Field(default=24, ge=1)

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
    # Searches per user in a window, across workspaces (each costs an index scan and, for
    # the page returned, a headline of up to 100 KB per hit).
    search_user_max: int = Field(default=60, ge=1)
    search_user_window_s: int = Field(default=60, ge=1)

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
    # How long a function trusts the signing keys it read from Secrets Manager: a public key
    # removed from the secret (or a private key replaced) takes effect in warm environments
    # within this time; a SnapStart restore reads them again at once.
    secrets_cache_ttl_s: float = Field(default=60.0, gt=0, le=3600)
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
        # Plain SMTP would carry the relay's password and every mailed link in the clear.
        if not _uses_tls(self.smtp_url.get_secret_value()):
            raise ValueError(
                f"SMTP_URL must use TLS (smtps:// or ?starttls=true) when ENV={self.env}"
            )
        # A local S3 endpoint deployed would send every upload to whoever listens there.
        if self.s3_endpoint_url and not _is_public_https(self.s3_endpoint_url):
            raise ValueError(f"S3_ENDPOINT_URL must be empty or public https when ENV={self.env}")
        return self


def _uses_tls(smtp_url: str) -> bool:
    """smtps:// or smtp:// upgraded with STARTTLS; no URL (no relay) passes, mail.py decides."""
    if not smtp_url:
        return True
    parts = urlsplit(smtp_url)
    starttls = parse_qs(parts.query).get("starttls", ["false"])[-1].lower()
    return parts.scheme.lower() == "smtps" or starttls in ("1", "true", "yes")


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
