"""Domain errors. The web layer maps each one to an HTTP answer (see web.py)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the API answers with a 4xx or 5xx."""


class EmailAlreadyRegistered(DomainError):
    """An account with this email exists already, in any letter case."""


class InvalidCredentials(DomainError):
    """Unknown email, wrong password or deleted account: deliberately indistinguishable."""


class InvalidToken(DomainError):
    """Missing, malformed, expired, tampered, wrong-kind or revoked token."""


class RefreshTokenReused(InvalidToken):
    """An already rotated refresh token came back: its whole session is revoked."""


class CookieRefused(DomainError):
    """A request that would use or set the browser's token cookies without proving it comes
    from the SPA itself."""


class CookieModeRequired(CookieRefused):
    """The refresh cookie without the X-Refresh-Token-Mode header (a cross-site form, a
    simple request): a custom header is what a cross-site page cannot send without CORS."""


class OriginNotAllowed(CookieRefused):
    """Cookie mode from an Origin that is not one of the SPA's."""


class InvalidLinkToken(DomainError):
    """A mailed link's token that is used, expired, unknown, for another purpose or stale."""


class EmailUnchanged(DomainError):
    """An email change to the address the account has already."""


class IncorrectPassword(DomainError):
    """The current password given to confirm a sensitive change is wrong."""


class TooManyAttempts(DomainError):
    """Rate limit or lockout in force; retry_after says for how many seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class DependencyUnavailable(DomainError):
    """Postgres or Redis did not answer in time."""

    def __init__(self, dependency: str) -> None:
        super().__init__(f"{dependency} unavailable")
        self.dependency = dependency
