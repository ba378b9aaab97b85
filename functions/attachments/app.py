"""A workspace's attachments: presign an upload (straight to S3), list them."""

from fastapi import status
from mangum import Mangum

from mdcreator.attachments import service
from mdcreator.attachments.schemas import AttachmentCreate, AttachmentCreated, AttachmentPage
from mdcreator.auth import keys
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import PageQuery, WorkspaceAccess

app = create_app("attachments", keys.verifies_tokens)


@app.post(
    "/api/workspaces/{workspace_id}/attachments",
    summary="Start an upload (editor+): a presigned POST of exactly this file to S3",
    description="POST `upload.fields`, then the file as the last part, as multipart/form-data "
    "to `upload.url` before `expires_at`; then complete it. The declared size counts against "
    "the workspace's quota until the attachment is deleted or refused.",
    operation_id="createAttachment",
    tags=["attachments"],
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentCreated,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
)
async def create_attachment(body: AttachmentCreate, access: WorkspaceAccess) -> AttachmentCreated:
    return service.create(access, body)


@app.get(
    "/api/workspaces/{workspace_id}/attachments",
    summary="A workspace's pending and ready attachments, oldest first",
    operation_id="listAttachments",
    tags=["attachments"],
    response_model=AttachmentPage,
    responses=error_responses(400, 401, 404, 422, 503),
)
async def list_attachments(access: WorkspaceAccess, page: PageQuery) -> AttachmentPage:
    return service.list_attachments(access, page.limit, page.cursor)


handler = Mangum(app, lifespan="off")
