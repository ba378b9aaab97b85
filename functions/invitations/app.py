"""Invitations: invite by mail, list and revoke pending ones, accept a link."""

from typing import Annotated

from fastapi import Path, Response, status
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.http.schemas import Message
from mdcreator.workspaces import invitations, service
from mdcreator.workspaces.deps import Caller, PageQuery, WorkspaceAccess
from mdcreator.workspaces.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationPage,
    WorkspaceResponse,
)

app = create_app("invitations", keys.verifies_tokens)
InvitationId = Annotated[str, Path(description="The invitation's id")]


@app.post(
    "/api/workspaces/{workspace_id}/invitations",
    summary="Invite an address by mail (admin+; only an owner invites an admin)",
    operation_id="createInvitation",
    tags=["invitations"],
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 429, 503),
)
async def create_invitation(body: InvitationCreate, access: WorkspaceAccess) -> Message:
    invitations.invite(access, body.email, body.role)
    return Message(message="Invitation sent")


@app.get(
    "/api/workspaces/{workspace_id}/invitations",
    summary="Pending invitations (admin+)",
    operation_id="listInvitations",
    tags=["invitations"],
    response_model=InvitationPage,
    responses=error_responses(400, 401, 403, 404, 422, 503),
)
async def list_invitations(access: WorkspaceAccess, page: PageQuery) -> InvitationPage:
    return invitations.list_pending(access, page.limit, page.cursor)


@app.delete(
    "/api/workspaces/{workspace_id}/invitations/{invitation_id}",
    summary="Revoke a pending invitation (admin+)",
    operation_id="revokeInvitation",
    tags=["invitations"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def revoke_invitation(access: WorkspaceAccess, invitation_id: InvitationId) -> Response:
    invitations.revoke(access, service.parse_id(invitation_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.post(
    "/api/invitations/accept",
    summary="Accept an invitation link (the caller's verified address must be the invited one)",
    operation_id="acceptInvitation",
    tags=["invitations"],
    response_model=WorkspaceResponse,
    responses=error_responses(400, 401, 403, 413, 415, 422, 503),
)
async def accept_invitation(body: InvitationAccept, caller: Caller) -> WorkspaceResponse:
    return invitations.accept(caller.db, caller.user, body.token)


handler = Mangum(app, lifespan="off")
