"""THE table of what each role may do in a workspace. Every route asks it (through
`require`); nothing else compares roles."""

from __future__ import annotations

from enum import StrEnum

from .errors import NotAllowed


class Role(StrEnum):
    """Highest first."""

    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class Action(StrEnum):
    VIEW_WORKSPACE = "view-workspace"
    RENAME_WORKSPACE = "rename-workspace"
    DELETE_WORKSPACE = "delete-workspace"
    LIST_MEMBERS = "list-members"
    # Change the role of, or remove, a member who is not an owner, to a role below owner.
    MANAGE_MEMBERS = "manage-members"
    # Grant or take the owner role.
    MANAGE_OWNERS = "manage-owners"
    INVITE_MEMBER = "invite-member"  # as editor or viewer
    INVITE_ADMIN = "invite-admin"
    LIST_INVITATIONS = "list-invitations"
    REVOKE_INVITATION = "revoke-invitation"
    # Documents (the documents domain asks these). Reading covers the list, one document,
    # its rendering, its revisions and their diffs.
    READ_DOCUMENTS = "read-documents"
    CREATE_DOCUMENT = "create-document"
    # Title, content, place in the tree, and restoring an old revision as a new version.
    EDIT_DOCUMENT = "edit-document"
    # To the trash, with its descendants; the trash's listing and restoring from it.
    DELETE_DOCUMENT = "delete-document"
    VIEW_TRASH = "view-trash"
    RESTORE_DOCUMENT = "restore-document"
    # Public read-only links: create, list and revoke.
    SHARE_DOCUMENTS = "share-documents"
    # Attachments (the attachments domain asks these): upload covers presign and complete.
    READ_ATTACHMENTS = "read-attachments"
    UPLOAD_ATTACHMENTS = "upload-attachments"
    DELETE_ATTACHMENTS = "delete-attachments"


_ALL = frozenset(Role)
_EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
_ADMINS = frozenset({Role.OWNER, Role.ADMIN})
_OWNERS = frozenset({Role.OWNER})

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_WORKSPACE: _ALL,
    Action.RENAME_WORKSPACE: _ADMINS,
    Action.DELETE_WORKSPACE: _OWNERS,
    Action.LIST_MEMBERS: _ALL,
    Action.MANAGE_MEMBERS: _ADMINS,
    Action.MANAGE_OWNERS: _OWNERS,
    Action.INVITE_MEMBER: _ADMINS,
    Action.INVITE_ADMIN: _OWNERS,
    Action.LIST_INVITATIONS: _ADMINS,
    Action.REVOKE_INVITATION: _ADMINS,
    Action.READ_DOCUMENTS: _ALL,
    Action.CREATE_DOCUMENT: _EDITORS,
    Action.EDIT_DOCUMENT: _EDITORS,
    Action.DELETE_DOCUMENT: _EDITORS,
    Action.VIEW_TRASH: _EDITORS,
    Action.RESTORE_DOCUMENT: _EDITORS,
    Action.SHARE_DOCUMENTS: _EDITORS,
    Action.READ_ATTACHMENTS: _ALL,
    Action.UPLOAD_ATTACHMENTS: _EDITORS,
    Action.DELETE_ATTACHMENTS: _EDITORS,
}


def allows(role: Role, action: Action) -> bool:
    return role in ALLOWED[action]


def require(role: Role, action: Action) -> None:
    if not allows(role, action):
        raise NotAllowed()


def to_invite(role: Role) -> Action:
    """What inviting someone as `role` takes."""
    return Action.INVITE_ADMIN if role is Role.ADMIN else Action.INVITE_MEMBER


def to_change(current: Role, new: Role | None) -> Action:
    """What changing a member from `current` to `new` (None: removing them) takes."""
    return Action.MANAGE_OWNERS if Role.OWNER in (current, new) else Action.MANAGE_MEMBERS


def is_owner(role: Role) -> bool:
    """Whether the role counts toward 'a workspace needs an owner'."""
    return role is Role.OWNER
