"""Dependencies of the workspace routes: the caller acting for row-level security, and the
caller's access to the workspace in the path (404 unless a member of a live one).

Dependencies are `async def` on purpose, see infra.db.get_db.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query
from sqlalchemy.orm import Session

from ..auth.deps import CurrentUser
from ..auth.models import User
from ..http.deps import DbSession
from ..infra.db import act_as
from . import service
from .schemas import Cursor, PageLimit
from .service import Access


@dataclass(frozen=True)
class Tenant:
    """The authenticated caller, with a database session that acts as them."""

    user: User
    db: Session


async def get_tenant(db: DbSession, user: CurrentUser) -> Tenant:
    act_as(db, user.id)
    return Tenant(user, db)


Caller = Annotated[Tenant, Depends(get_tenant)]


async def get_workspace_access(
    tenant: Caller,
    workspace_id: Annotated[str, Path(description="The workspace's id")],
) -> Access:
    return service.access(tenant.db, tenant.user, service.parse_id(workspace_id))


WorkspaceAccess = Annotated[Access, Depends(get_workspace_access)]


@dataclass(frozen=True)
class Page:
    limit: int
    cursor: str | None


async def get_page(
    limit: Annotated[PageLimit, Query(description="Items per page")] = 25,
    cursor: Annotated[
        Cursor | None, Query(description="`next_cursor` of the previous page (opaque)")
    ] = None,
) -> Page:
    return Page(limit, cursor)


PageQuery = Annotated[Page, Depends(get_page)]
