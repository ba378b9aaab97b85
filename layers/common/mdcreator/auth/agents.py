"""Browser and OS names from a user agent (ua-parser, Browserscope's rules).

Compiling the rules takes most of a second: only the sessions function imports this module,
at init, so the snapshot (SnapStart) holds them compiled and a request pays a lookup.
"""

from __future__ import annotations

from functools import lru_cache

from ua_parser import BasicResolver, Parser
from ua_parser.loaders import load_builtins

_parser = Parser(BasicResolver(load_builtins()))
UNKNOWN = "Other"


@lru_cache(maxsize=256)
def describe(user_agent: str | None) -> tuple[str | None, str | None]:
    """(browser, os), each None when the rules do not know it."""
    if not user_agent:
        return None, None
    result = _parser.parse(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    return (
        browser if browser and browser != UNKNOWN else None,
        system if system and system != UNKNOWN else None,
    )
