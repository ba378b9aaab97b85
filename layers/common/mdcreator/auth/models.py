"""The account model. The schema itself is owned by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, false, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.orm import Base, Timestamp, utc_now


class User(Base):
    __tablename__ = "users"
    # One live account per email whatever its case; deleted accounts free their address.
    __table_args__ = (
        Index(
            "uq_users_email_lower_live",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Raised with every password change or reset: a session born under an older version is
    # dead, whenever it was created (see auth/sessions.py).
    credentials_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    email_verified: Mapped[bool] = mapped_column(default=False, server_default=false())

    display_name: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    bio: Mapped[str | None] = mapped_column(String(1000))
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )

    subscription_tier: Mapped[str] = mapped_column(
        String(50), default="free", server_default="free"
    )
    subscription_status: Mapped[str] = mapped_column(
        String(50), default="active", server_default="active"
    )

    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utc_now)
    last_seen_at: Mapped[Timestamp]
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<User {self.id}>"
