"""Error categories. Every domain's errors subclass one; http.errors maps each category to an
HTTP status, so a new domain adds errors without touching the map."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Base of every error the API answers with a 4xx or 5xx; `detail` is the answer's text."""

    detail: ClassVar[str] = "Request refused"

    def body(self) -> dict[str, object]:
        """The answer's JSON: `detail`, and whatever a category adds to it."""
        return {"detail": self.detail}


class BadRequest(DomainError):
    """The request is well-formed but cannot be acted on."""


class Unauthenticated(DomainError):
    """Credentials missing or wrong."""


class TokenRefused(Unauthenticated):
    """A bearer token missing or refused: the answer names the Bearer scheme."""


class Forbidden(DomainError):
    """Who the caller is is known, and this is not theirs to do."""


class NotFound(DomainError):
    """Nothing the caller may see is there; the same answer whether it exists or not."""

    detail = "Not found"


class Conflict(DomainError):
    """The request contradicts what is stored."""

    detail = "Conflict"


class PreconditionFailed(DomainError):
    """A conditional request (If-Match) names a state that is no longer the stored one."""

    detail = "Precondition failed"


class PreconditionRequired(DomainError):
    """A change that must be conditional (If-Match) came without its condition."""

    detail = "If-Match required"


class TooLarge(DomainError):
    """What was sent, or declared, exceeds a size limit."""

    detail = "Too large"


class UnsupportedType(DomainError):
    """A declared media type that is not accepted."""

    detail = "Unsupported media type"


class Unprocessable(DomainError):
    """Well-formed and valid on its own, but not acceptable with what is stored or declared
    (e.g. an uploaded file that does not match its declaration)."""

    detail = "Unprocessable"


class TooManyAttempts(DomainError):
    """Rate limit or lockout in force; retry_after says for how many seconds."""

    detail = "Too many attempts, try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class DependencyUnavailable(DomainError):
    """Postgres or Redis did not answer in time."""

    detail = "Service temporarily unavailable"

    def __init__(self, dependency: str) -> None:
        super().__init__(f"{dependency} unavailable")
        self.dependency = dependency
