"""Errors of accounts and sessions, each in the category that decides its HTTP answer."""

from __future__ import annotations

from ..core.errors import BadRequest, Conflict, Forbidden, TokenRefused, Unauthenticated


class EmailAlreadyRegistered(Conflict):
    """An account with this email exists already, in any letter case."""

    detail = "Email already registered"


class InvalidCredentials(Unauthenticated):
    """Unknown email, wrong password or deleted account: deliberately indistinguishable."""

    detail = "Incorrect email or password"


class InvalidToken(TokenRefused):
    """Missing, malformed, expired, tampered, wrong-kind or revoked token."""

    detail = "Could not validate credentials"


class RefreshTokenReused(InvalidToken):
    """An already rotated refresh token came back: its whole session is revoked."""


class CookieRefused(Forbidden):
    """A request that would use or set the browser's token cookies without proving it comes
    from the SPA itself."""


class CookieModeRequired(CookieRefused):
    """The refresh cookie without the X-Refresh-Token-Mode header (a cross-site form, a
    simple request): a custom header is what a cross-site page cannot send without CORS."""

    detail = "Refreshing from the cookie needs the header X-Refresh-Token-Mode: cookie"


class OriginNotAllowed(CookieRefused):
    """Cookie mode from an Origin that is not one of the SPA's."""

    detail = "Origin not allowed"


class DuplicateRefreshCookie(BadRequest):
    """Cookies of one name from more than one domain or path: one may be planted by a sibling
    subdomain (cookie tossing), and which one is ours cannot be told."""

    detail = (
        "The request carries more than one mdc_refresh cookie: clear this site's cookies and "
        "log in again"
    )


class InvalidLinkToken(BadRequest):
    """A mailed link's token that is used, expired, unknown, for another purpose or stale."""

    detail = "Invalid or expired link"


class InvalidCursor(BadRequest):
    """A page cursor this API did not hand out."""

    detail = "Invalid cursor"


class EmailUnchanged(BadRequest):
    """An email change to the address the account has already."""

    detail = "The new email is the current one"


class IncorrectPassword(Unauthenticated):
    """The current password given to confirm a sensitive change is wrong."""

    detail = "Incorrect password"
