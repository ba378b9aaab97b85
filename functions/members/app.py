"""Members of a workspace: list them, change a role, remove one (or leave)."""

from typing import Annotated

from fastapi import Path, Response, status
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces import service
from mdcreator.workspaces.deps import PageQuery, WorkspaceAccess
from mdcreator.workspaces.schemas import MemberPage, MemberResponse, RoleChange

app = create_app("members", keys.verifies_tokens)
UserId = Annotated[str, Path(description="The member's user id")]


@app.get(
    "/api/workspaces/{workspace_id}/members",
    summary="Members of a workspace (any member)",
    operation_id="listMembers",
    tags=["members"],
    response_model=MemberPage,
    responses=error_responses(400, 401, 404, 422, 503),
)
async def list_members(access: WorkspaceAccess, page: PageQuery) -> MemberPage:
    return service.list_members(access, page.limit, page.cursor)


@app.patch(
    "/api/workspaces/{workspace_id}/members/{user_id}",
    summary="Change a member's role (admin+; only an owner grants or takes owner)",
    operation_id="updateMember",
    tags=["members"],
    response_model=MemberResponse,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
)
async def update_member(
    body: RoleChange, access: WorkspaceAccess, user_id: UserId
) -> MemberResponse:
    return service.change_role(access, service.parse_id(user_id), body.role)


@app.delete(
    "/api/workspaces/{workspace_id}/members/{user_id}",
    summary="Remove a member (admin+), or leave (yourself)",
    operation_id="removeMember",
    tags=["members"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 409, 503),
)
async def remove_member(access: WorkspaceAccess, user_id: UserId) -> Response:
    service.remove_member(access, service.parse_id(user_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


handler = Mangum(app, lifespan="off")
