"""One attachment: complete its upload, download it (a redirect to S3), delete it."""

from fastapi import Response, status
from fastapi.responses import RedirectResponse
from mangum import Mangum

from mdcreator.attachments import service
from mdcreator.attachments.deps import AttachmentId
from mdcreator.attachments.schemas import AttachmentResponse
from mdcreator.auth import keys
from mdcreator.http.app import create_app
from mdcreator.http.errors import error_responses
from mdcreator.workspaces.deps import Caller

app = create_app("attachment", keys.verifies_tokens)


@app.post(
    "/api/attachments/{attachment_id}/complete",
    summary="Finish an upload (editor+): ready if the object has the declared size and type",
    description="Otherwise 422: the object is deleted and its bytes leave the quota. "
    "Completing a ready attachment again answers the same.",
    operation_id="completeAttachment",
    tags=["attachments"],
    response_model=AttachmentResponse,
    responses=error_responses(401, 403, 404, 422, 503),
)
async def complete_attachment(caller: Caller, attachment_id: AttachmentId) -> AttachmentResponse:
    return service.complete(caller.db, caller.user, attachment_id)


@app.get(
    "/api/attachments/{attachment_id}",
    summary="Download: a redirect to a presigned GET, valid DOWNLOAD_URL_TTL_S",
    description="Images (PNG, JPEG, GIF, WebP) come inline, everything else as a download.",
    operation_id="getAttachment",
    tags=["attachments"],
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    responses={
        302: {"description": "Location: the presigned GET"},
        **error_responses(401, 404, 409, 503),
    },
)
async def read_attachment(caller: Caller, attachment_id: AttachmentId) -> RedirectResponse:
    url = service.download_url(caller.db, caller.user, attachment_id)
    return RedirectResponse(
        url,
        status_code=status.HTTP_302_FOUND,
        headers={"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"},
    )


@app.delete(
    "/api/attachments/{attachment_id}",
    summary="Delete an attachment (editor+): its object, and its bytes from the quota",
    operation_id="deleteAttachment",
    tags=["attachments"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def delete_attachment(caller: Caller, attachment_id: AttachmentId) -> Response:
    service.delete(caller.db, caller.user, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


handler = Mangum(app, lifespan="off")
