"""Errors of workspaces, each in the category that decides its HTTP answer."""

from __future__ import annotations

from ..core.errors import BadRequest, Conflict, Forbidden, NotFound


class WorkspaceNotFound(NotFound):
    """Not a member, a deleted workspace or no such id: deliberately indistinguishable."""


class NotAllowed(Forbidden):
    """A member whose role does not allow this."""

    detail = "Not allowed"


class NeedsOwner(Conflict):
    """The change would leave the workspace without an owner."""

    detail = "A workspace needs an owner"


class TooManyWorkspaces(Conflict):
    """The caller owns MAX_WORKSPACES_PER_USER workspaces already."""

    detail = "Too many workspaces"


class AlreadyMember(Conflict):
    """The invited address belongs to a member already."""

    detail = "Already a member"


class InvalidInvitation(BadRequest):
    """An invitation link that is used, expired, revoked, unknown, or of a deleted workspace."""

    detail = "Invalid or expired link"


class InvitationForAnotherAddress(Forbidden):
    """The caller's verified address is not the invited one; the link stays usable."""

    detail = "This invitation is for another verified email address"
