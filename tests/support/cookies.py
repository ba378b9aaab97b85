"""Set-Cookie headers as a browser reads them, and a jar that sends cookies back by path.

httpx's jar (the standard library's) never sends a `Secure` cookie over http://, which is what
the emulation speaks; this one does, as Chromium does for localhost, and nothing more: one
host, paths matched per RFC 6265 §5.1.4, `Max-Age=0` removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class SetCookie:
    name: str
    value: str
    # Attribute names in lower case; flags (HttpOnly, Secure) map to "".
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.attributes.get("path", "/")

    @property
    def max_age(self) -> int | None:
        value = self.attributes.get("max-age")
        return None if value is None else int(value)


def parse_set_cookie(header: str) -> SetCookie:
    pair, *parts = header.split(";")
    name, _, value = pair.strip().partition("=")
    attributes: dict[str, str] = {}
    for part in parts:
        key, _, attribute = part.strip().partition("=")
        attributes[key.lower()] = attribute
    return SetCookie(name, value.strip('"'), attributes)


def set_cookies(answer: httpx.Response) -> dict[str, SetCookie]:
    """The answer's Set-Cookie headers by cookie name."""
    parsed = (parse_set_cookie(header) for header in answer.headers.get_list("set-cookie"))
    return {cookie.name: cookie for cookie in parsed}


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    prefix = cookie_path if cookie_path.endswith("/") else cookie_path + "/"
    return request_path.startswith(prefix)


class Jar:
    """The cookies one browser holds for the API's host."""

    def __init__(self) -> None:
        self.cookies: dict[tuple[str, str], SetCookie] = {}

    def put(self, cookie: SetCookie) -> None:
        if cookie.max_age is not None and cookie.max_age <= 0:
            self.cookies.pop((cookie.name, cookie.path), None)
        else:
            self.cookies[(cookie.name, cookie.path)] = cookie

    def store(self, answer: httpx.Response) -> httpx.Response:
        for cookie in set_cookies(answer).values():
            self.put(cookie)
        return answer

    def header_for(self, path: str) -> dict[str, str]:
        sent = [f"{c.name}={c.value}" for c in self.cookies.values() if _path_matches(path, c.path)]
        return {"Cookie": "; ".join(sent)} if sent else {}

    def value(self, name: str) -> str | None:
        return next((c.value for c in self.cookies.values() if c.name == name), None)
