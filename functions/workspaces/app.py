"""Workspaces: create and list the caller's; read, rename and delete one."""

from fastapi import Response, status
from mangum import Mangum

from mdcreator.auth import keys
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces import service
from mdcreator.workspaces.deps import Caller, PageQuery, WorkspaceAccess
from mdcreator.workspaces.schemas import (
    WorkspaceCreate,
    WorkspacePage,
    WorkspaceResponse,
    WorkspaceUpdate,
)

app = create_app("workspaces", keys.verifies_tokens)


@app.post(
    "/api/workspaces",
    summary="Create a workspace (the caller is its owner)",
    operation_id="createWorkspace",
    tags=["workspaces"],
    status_code=status.HTTP_201_CREATED,
    response_model=WorkspaceResponse,
    responses=error_responses(401, 409, 413, 415, 422, 503),
)
async def create_workspace(body: WorkspaceCreate, caller: Caller) -> WorkspaceResponse:
    return service.create_workspace(caller.db, caller.user, body.name, body.search_language)


@app.get(
    "/api/workspaces",
    summary="The caller's workspaces, with the caller's role in each",
    operation_id="listWorkspaces",
    tags=["workspaces"],
    response_model=WorkspacePage,
    responses=error_responses(400, 401, 422, 503),
)
async def list_workspaces(caller: Caller, page: PageQuery) -> WorkspacePage:
    return service.list_workspaces(caller.db, caller.user, page.limit, page.cursor)


@app.get(
    "/api/workspaces/{workspace_id}",
    summary="A workspace",
    operation_id="getWorkspace",
    tags=["workspaces"],
    response_model=WorkspaceResponse,
    responses=error_responses(401, 404, 503),
)
async def read_workspace(access: WorkspaceAccess) -> WorkspaceResponse:
    return service.describe(access)


@app.patch(
    "/api/workspaces/{workspace_id}",
    summary="Rename a workspace (admin or owner)",
    operation_id="updateWorkspace",
    tags=["workspaces"],
    response_model=WorkspaceResponse,
    responses=error_responses(401, 403, 404, 413, 415, 422, 503),
)
async def update_workspace(body: WorkspaceUpdate, access: WorkspaceAccess) -> WorkspaceResponse:
    return service.rename_workspace(access, body.name)


@app.delete(
    "/api/workspaces/{workspace_id}",
    summary="Delete a workspace (owner; everything in it becomes unreachable)",
    operation_id="deleteWorkspace",
    tags=["workspaces"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def delete_workspace(access: WorkspaceAccess) -> Response:
    service.delete_workspace(access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


handler = Mangum(app, lifespan="off")
