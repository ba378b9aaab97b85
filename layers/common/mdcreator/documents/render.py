"""Markdown to HTML that cannot run script: markdown-it-py (CommonMark with GitHub's tables,
strikethrough, task lists and autolinks), raw HTML in the markdown escaped, then nh3's
allowlist over the result. Only the functions that render import this module (its
libraries cost import time the others need not pay).

Markdown-it already refuses javascript:, vbscript:, file: and data: (except images) links;
the allowlist is the second wall and the one that decides: http, https and mailto links,
http and https images (no data: images either: an SVG data URL can carry script in some
viewers, and a workspace's images belong on a server), no style, no event handlers, every
link rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    # Task list checkboxes: shown, never editable on a rendered page.
    "input": {"type", "checked", "disabled", "class"},
    "li": {"class"},
    "ul": {"class"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
REL = "noopener noreferrer nofollow"


@lru_cache
def _parser() -> MarkdownIt:
    options = {"html": False, "linkify": True, "typographer": False}
    parser = MarkdownIt("commonmark", options).enable(["table", "strikethrough", "linkify"])
    return parser.use(tasklists_plugin)


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "input":
        # Only the disabled checkbox of a task list item.
        if name == "type":
            return "checkbox" if value == "checkbox" else None
        if name == "class":
            return value if value == "task-list-item-checkbox" else None
    if name == "class" and tag in ("li", "ul"):
        return value if value in ("task-list-item", "contains-task-list") else None
    if name == "class" and tag == "code":
        return value if value.startswith("language-") and value[9:].isalnum() else None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=REL,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def to_html(markdown: str) -> str:
    return sanitize(_parser().render(markdown))
