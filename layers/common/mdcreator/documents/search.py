"""Search a workspace's live documents: words first, substrings when words find little.

1. The word pass: `websearch_to_tsquery` (all words, `"a phrase"`, `-excluded`, `or`) against
   the tsvector the trigger keeps in `document_search` with the row (migration 0008), in
   the workspace's language. A match in the title comes first, then ts_rank_cd, then the
   newest change.
   Chinese and Japanese are indexed a character at a time; a run of them in the query is
   the phrase of its characters.
2. The substring pass runs only when the whole word answer is shorter than one page (fewer
   than `limit` documents): every term (one with three letters or digits in a row) is a
   substring of the title or the body (ILIKE on the trigram index), title hits first, then
   the newest. It finds half words (`markd`) and words inside longer ones; its documents
   are never the word pass's, and they follow them, with rank 0.

Both passes read the workspace's entries of a GIN index that leads with workspace_id and
join every hit to `documents`, acting as the caller: row-level security there is the
second wall (`document_search` has none, see migration 0008). Snippets are made for the page
returned only, from the body's first SNIPPET_SOURCE_CHARS characters.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from ..core.config import get_settings
from ..infra import ratelimit
from ..infra.pagination import InvalidCursor
from ..infra.redis import fail_closed, key
from ..workspaces.permissions import Action
from ..workspaces.service import Access
from .schemas import SearchHit, SearchPage

SNIPPET_SOURCE_CHARS = 100_000
SNIPPET_CHARS = 200
# A term needs a run of three letters or digits: without a trigram to look up, the pass
# would read every row of the workspace.
TRIGRAM = re.compile(r"[^\W_]{3}")
MAX_SUBSTRING_TERMS = 8
ZWSP = "\u200b"
START, STOP = "\x01", "\x02"
# The characters migration 0008 indexes one at a time (mdc_search_spaced).
CJK_RUN = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

QUERY = "websearch_to_tsquery(CAST(:config AS regconfig), mdc_search_spaced(:q))"
_POSITIVE = text(f"SELECT numnode({QUERY}) > 0 AND querytree({QUERY}) <> 'T'")

Pass = Literal["w", "s"]


@dataclass(frozen=True)
class Position:
    """Where a page ended: the pass and the last hit's sort key."""

    pass_: Pass
    in_title: bool
    rank: float
    updated_at: datetime
    id: uuid.UUID


def _encode(position: Position) -> str:
    raw = json.dumps(
        [
            position.pass_,
            position.in_title,
            position.rank,
            position.updated_at.isoformat(),
            str(position.id),
        ]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pass_, in_title, rank, at, ident = json.loads(raw)
        moment = datetime.fromisoformat(at)
        position = Position(pass_, in_title, float(rank), moment, uuid.UUID(ident))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidCursor() from None
    if (
        pass_ not in ("w", "s")
        or not isinstance(in_title, bool)
        or isinstance(rank, bool)
        or not math.isfinite(position.rank)
        or moment.tzinfo is None
    ):
        raise InvalidCursor()
    return position


# The page is found and ordered in document_search alone; its documents are then read by
# id, where the caller's row-level security stands. One joined statement let the planner
# read every document of the workspace through its policy (a hash join, 28 of 36 ms).
_PAGE = text("""
    SELECT id, title, updated_at FROM documents
     WHERE id = ANY(:ids) AND workspace_id = :workspace AND trashed_at IS NULL
""")


def _words_query(after: bool) -> Any:
    later = "AND (in_title, rank, updated_at, id) < (:t, :r, :u, :i)" if after else ""
    return text(f"""
        SELECT * FROM (
            SELECT s.document_id AS id, s.updated_at,
                   ts_filter(s.search_vector, '{{a}}') @@ {QUERY} AS in_title,
                   ts_rank_cd(s.search_vector, {QUERY})::float8 AS rank
              FROM document_search s
             WHERE s.workspace_id = :workspace AND s.search_vector @@ {QUERY}
        ) ranked
        WHERE true {later}
        ORDER BY in_title DESC, rank DESC, updated_at DESC, id DESC
        LIMIT :n
    """)


def _substring_query(included: int, excluded: int, positive: bool, after: bool) -> Any:
    conditions = [f"s.search_text ILIKE :p{i}" for i in range(included)]
    conditions += [f"s.search_text NOT ILIKE :x{i}" for i in range(excluded)]
    if positive:
        conditions.append(f"NOT (s.search_vector @@ {QUERY})")
    # The title is the text before the first line break (the trigger writes it so).
    in_title = " AND ".join(
        f"split_part(s.search_text, E'\\n', 1) ILIKE :p{i}" for i in range(included)
    )
    later = "AND (in_title, updated_at, id) < (:t, :u, :i)" if after else ""
    return text(f"""
        SELECT * FROM (
            SELECT s.document_id AS id, s.updated_at, ({in_title}) AS in_title,
                   0.0::float8 AS rank
              FROM document_search s
             WHERE s.workspace_id = :workspace AND {" AND ".join(conditions)}
        ) found
        WHERE true {later}
        ORDER BY in_title DESC, updated_at DESC, id DESC
        LIMIT :n
    """)


_HEADLINES = text(f"""
    SELECT id, ts_headline(
        CAST(:config AS regconfig),
        mdc_search_spaced(translate(left(content, {SNIPPET_SOURCE_CHARS}), E'\\x01\\x02', '')),
        {QUERY},
        'StartSel=' || chr(1) || ', StopSel=' || chr(2)
            || ', MaxFragments=1, MaxWords=35, MinWords=15, FragmentDelimiter=" … "'
    ) AS marked
      FROM documents WHERE id = ANY(:ids)
""")
_BODIES = text(
    f"SELECT id, left(content, {SNIPPET_SOURCE_CHARS}) AS body FROM documents WHERE id = ANY(:ids)"
)


@dataclass(frozen=True)
class Terms:
    """What the substring pass looks for: terms every hit holds, and terms none holds."""

    included: list[str]
    excluded: list[str]


_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')


def substring_terms(q: str) -> Terms:
    """The query's words and phrases as web-search syntax reads them; `or` is read as and."""
    included: list[str] = []
    excluded: list[str] = []
    for minus, phrase, word in _TOKEN.findall(q):
        term = " ".join((phrase if phrase else word).split())
        if not term or (not phrase and term.lower() == "or"):
            continue
        if minus:
            excluded.append(term)
        elif TRIGRAM.search(term) and term not in included:
            included.append(term)
    return Terms(included[:MAX_SUBSTRING_TERMS], excluded[:MAX_SUBSTRING_TERMS])


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def from_headline(marked: str, q: str) -> tuple[str, list[tuple[int, int]]]:
    """Plain text and highlight offsets from ts_headline's marked text.

    A highlighted run of Chinese or Japanese keeps only the query's runs inside it: the
    headline marks every character the query holds, the phrase wanted them together."""
    flat = " ".join(marked.replace(ZWSP, "").split())
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for char in flat:
        if char == START:
            start = len(out)
        elif char == STOP:
            if start is not None and start < len(out):
                spans.append((start, len(out)))
            start = None
        else:
            out.append(char)
    snippet = "".join(out)
    wanted = sorted(set(CJK_RUN.findall(q)), key=len, reverse=True)
    kept: list[tuple[int, int]] = []
    for begin, end in _merge(spans):
        piece = snippet[begin:end]
        if not CJK_RUN.fullmatch(piece):
            kept.append((begin, end))
            continue
        for run in wanted:
            kept += [
                (begin + m.start(), begin + m.end()) for m in re.finditer(re.escape(run), piece)
            ]
    return snippet, _merge(kept)


def around(body: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Up to SNIPPET_CHARS of the body from a little before the first term, with every
    term's occurrences in it (letter case ignored, as ILIKE does)."""
    flat = " ".join(body.split())
    if not terms:
        return flat[:SNIPPET_CHARS], []
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    first = pattern.search(flat)
    start = 0
    if first is not None and first.start() > SNIPPET_CHARS // 3:
        start = first.start() - SNIPPET_CHARS // 3
        space = flat.find(" ", start, first.start())
        start = space + 1 if space != -1 else start
    window = flat[start : start + SNIPPET_CHARS]
    return window, _merge([(m.start(), m.end()) for m in pattern.finditer(window)])


@fail_closed
def limit_user(user_id: uuid.UUID) -> None:
    settings = get_settings()
    window = key("search-user", f"{{{user_id}}}")
    ratelimit.check_window(
        window, settings.search_user_max, settings.search_user_window_s, record=True
    )


def _after(position: Position | None) -> dict[str, object]:
    if position is None:
        return {}
    return {
        "t": position.in_title,
        "r": position.rank,
        "u": position.updated_at,
        "i": position.id,
    }


def _position(pass_: Pass, row: Row[Any]) -> Position:
    return Position(pass_, bool(row.in_title), float(row.rank), row.updated_at, row.id)


def _substring_hits(
    db: Session,
    params: dict[str, object],
    terms: Terms,
    positive: bool,
    position: Position | None,
    room: int,
) -> list[Row[Any]]:
    values = dict(params)
    values.update({f"p{i}": _like(term) for i, term in enumerate(terms.included)})
    values.update({f"x{i}": _like(term) for i, term in enumerate(terms.excluded)})
    values.update(_after(position), n=room + 1)
    query = _substring_query(
        len(terms.included), len(terms.excluded), positive, position is not None
    )
    return list(db.execute(query, values))


def search(entry: Access, q: str, limit: int, cursor: str | None) -> SearchPage:
    entry.require(Action.READ_DOCUMENTS)
    position = _decode(cursor) if cursor is not None else None
    limit_user(entry.user.id)
    db = entry.db
    params: dict[str, object] = {
        "workspace": entry.workspace.id,
        "config": entry.workspace.search_language,
        "q": q,
    }
    positive = bool(db.scalar(_POSITIVE, params))
    terms = substring_terms(q)
    words: list[Row[Any]] = []
    substrings: list[Row[Any]] = []
    next_position: Position | None = None
    if position is None or position.pass_ == "w":
        if positive:
            values = {**params, **_after(position), "n": limit + 1}
            words = list(db.execute(_words_query(position is not None), values))
        if len(words) > limit:
            words = words[:limit]
            next_position = _position("w", words[-1])
        elif position is None and len(words) < limit and terms.included:
            room = limit - len(words)
            substrings = _substring_hits(db, params, terms, positive, None, room)
            if len(substrings) > room:
                substrings = substrings[:room]
                next_position = _position("s", substrings[-1])
    elif terms.included:
        substrings = _substring_hits(db, params, terms, positive, position, limit)
        if len(substrings) > limit:
            substrings = substrings[:limit]
            next_position = _position("s", substrings[-1])

    hits = words + substrings
    page = {"workspace": entry.workspace.id, "ids": [hit.id for hit in hits]}
    shown = {row.id: row for row in db.execute(_PAGE, page)} if hits else {}
    words = [row for row in words if row.id in shown]
    substrings = [row for row in substrings if row.id in shown]
    snippets: dict[uuid.UUID, tuple[str, list[tuple[int, int]]]] = {}
    if words:
        marked = db.execute(_HEADLINES, {**params, "ids": [row.id for row in words]})
        snippets.update((row.id, from_headline(row.marked, q)) for row in marked)
    if substrings:
        bodies = db.execute(_BODIES, {"ids": [row.id for row in substrings]})
        snippets.update((row.id, around(row.body, terms.included)) for row in bodies)
    items = [
        SearchHit(
            document_id=row.id,
            title=shown[row.id].title,
            snippet=snippets.get(row.id, ("", []))[0],
            highlights=snippets.get(row.id, ("", []))[1],
            rank=float(row.rank),
            updated_at=shown[row.id].updated_at,
        )
        for row in words + substrings
    ]
    next_cursor = _encode(next_position) if next_position is not None else None
    return SearchPage(items=items, next_cursor=next_cursor)
