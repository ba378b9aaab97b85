"""Every domain's models on the one declarative base: what Alembic compares the schema with."""

from __future__ import annotations

from .attachments.models import Attachment
from .auth.events import SecurityEvent
from .auth.models import User
from .documents.models import Document, Revision, Share
from .infra.orm import Base
from .workspaces.models import Invitation, Membership, Workspace

metadata = Base.metadata

__all__ = [
    "Attachment",
    "Document",
    "Invitation",
    "Membership",
    "Revision",
    "SecurityEvent",
    "Share",
    "User",
    "Workspace",
    "metadata",
]
