"""Request and response bodies of workspaces, members and invitations."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..auth.schemas import NewEmail
from ..http.schemas import Moment
from .permissions import Role


def _clean_name(value: str) -> str:
    # Names go into mails and pages: no control characters (line breaks, NUL) in them.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


WorkspaceName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean_name)]
PageLimit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, Field(min_length=1, max_length=200)]
InvitedRole = Literal[Role.ADMIN, Role.EDITOR, Role.VIEWER]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


SearchLanguage = Literal["simple", "english"]


class WorkspaceCreate(RequestModel):
    name: WorkspaceName
    search_language: SearchLanguage = Field(
        default="simple",
        description="How search matches words, fixed at creation: `simple` as written, "
        "`english` stemmed (`edit` finds `edited`)",
    )


class WorkspaceUpdate(RequestModel):
    name: WorkspaceName


class WorkspaceResponse(BaseModel):
    """A workspace as the caller sees it, with the caller's role in it."""

    id: uuid.UUID
    name: str
    role: Role
    search_language: SearchLanguage
    created_at: Moment
    updated_at: Moment


class WorkspacePage(BaseModel):
    items: list[WorkspaceResponse]
    next_cursor: str | None


class MemberResponse(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str | None
    role: Role
    joined_at: Moment


class MemberPage(BaseModel):
    items: list[MemberResponse]
    next_cursor: str | None


class RoleChange(RequestModel):
    role: Role


class InvitationCreate(RequestModel):
    email: NewEmail
    role: InvitedRole


class InvitationResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    invited_by: uuid.UUID | None
    created_at: Moment
    expires_at: Moment


class InvitationPage(BaseModel):
    items: list[InvitationResponse]
    next_cursor: str | None


class InvitationAccept(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=512)]
