"""Dependencies every domain shares, as Annotated aliases: route signatures read plainly.

Dependencies and routes are `async def` on purpose, see infra.db.get_db.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ..infra.db import get_db

DbSession = Annotated[Session, Depends(get_db)]


async def get_client_ip(request: Request) -> str:
    # Mangum takes the client from API Gateway's requestContext.http.sourceIp, which the
    # caller cannot forge (unlike X-Forwarded-For).
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(get_client_ip)]
