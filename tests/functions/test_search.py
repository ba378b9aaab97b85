"""Search through its handler: the syntax, the order, half words and CJK, snippets as plain
text with code-point highlights, pages, the trash, fresh changes, bad queries, strangers and
the per-user limit."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from tests.support.mail import MailServer
from tests.support.workspaces import NOT_FOUND, Person, member_of, person


@pytest.fixture
def owner(mail_server: MailServer) -> Person:
    return person(mail_server)


def new_workspace(who: Person, **extra: str) -> str:
    answer = who("POST", "/api/workspaces", {"name": "Search", **extra})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


@pytest.fixture
def workspace(owner: Person) -> str:
    return new_workspace(owner)


def create(who: Person, workspace: str, title: str, content: str = "") -> str:
    body = {"title": title, "content": content}
    answer = who("POST", f"/api/workspaces/{workspace}/documents", body)
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def search(who: Person, workspace: str, q: str, **params: Any) -> Any:
    query = urllib.parse.urlencode({"q": q, **params})
    return who("GET", f"/api/workspaces/{workspace}/search?{query}")


def hits(who: Person, workspace: str, q: str, **params: Any) -> list[dict[str, Any]]:
    answer = search(who, workspace, q, **params)
    assert answer.status == 200, answer.body
    return list(answer.body["items"])


def titles(who: Person, workspace: str, q: str) -> list[str]:
    return [hit["title"] for hit in hits(who, workspace, q)]


def marked(hit: dict[str, Any]) -> list[str]:
    return [hit["snippet"][start:end] for start, end in hit["highlights"]]


def test_a_word_in_the_body_comes_with_a_plain_snippet_and_its_highlight(
    owner: Person, workspace: str
) -> None:
    create(owner, workspace, "Notes", "Intro line.\n\nWe write **Markdown** <b>here</b> daily.")
    create(owner, workspace, "Other", "Nothing to see.")
    [hit] = hits(owner, workspace, "markdown")
    assert set(hit) == {"document_id", "title", "snippet", "highlights", "rank", "updated_at"}
    assert hit["title"] == "Notes"
    # The body's words as written, markup tags left out by the headline; no markers of ours.
    assert hit["snippet"] == "Intro line. We write **Markdown** here daily"
    assert marked(hit) == ["Markdown"]
    assert hit["rank"] > 0


def test_highlights_count_code_points_not_bytes(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Emoji", "😀 café 😀 naïve token here")
    [hit] = hits(owner, workspace, "token")
    assert marked(hit) == ["token"]
    assert hit["snippet"].index("token") == hit["highlights"][0][0]


def test_a_title_match_ranks_above_the_same_word_only_in_the_body(
    owner: Person, workspace: str
) -> None:
    create(owner, workspace, "Body only", "release " * 40)
    create(owner, workspace, "Release plan", "a plan")
    assert titles(owner, workspace, "release") == ["Release plan", "Body only"]


def test_recency_breaks_ties(owner: Person, workspace: str) -> None:
    first = create(owner, workspace, "Older", "same words here")
    create(owner, workspace, "Newer", "same words here")
    assert titles(owner, workspace, "words") == ["Newer", "Older"]
    edited = owner("PATCH", f"/api/documents/{first}", {"content": "same words here"},
                   {"if-match": '"1"'})  # fmt: skip
    assert edited.status == 200
    assert titles(owner, workspace, "words") == ["Older", "Newer"]


def test_every_word_must_match_and_a_phrase_is_in_order(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Both", "the quick brown fox")
    create(owner, workspace, "Reversed", "the brown quick fox")
    create(owner, workspace, "One", "quick only")
    assert sorted(titles(owner, workspace, "quick brown")) == ["Both", "Reversed"]
    assert titles(owner, workspace, '"quick brown"') == ["Both"]


def test_minus_excludes_and_or_joins(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Cats", "cats purr")
    create(owner, workspace, "Dogs", "dogs bark")
    create(owner, workspace, "Both", "cats and dogs")
    assert titles(owner, workspace, "cats -dogs") == ["Cats"]
    assert sorted(titles(owner, workspace, "purr or bark")) == ["Cats", "Dogs"]


def test_half_a_word_is_found_by_the_substring_pass(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Editor", "We love Markdown tables.")
    create(owner, workspace, "Other", "plain text")
    [hit] = hits(owner, workspace, "markd")
    assert hit["title"] == "Editor"
    assert hit["rank"] == 0
    assert marked(hit) == ["Markd"]


def test_word_hits_come_before_substring_hits_and_never_twice(
    owner: Person, workspace: str
) -> None:
    create(owner, workspace, "Inside", "the preview pane")
    create(owner, workspace, "Exact", "a view of it")
    found = hits(owner, workspace, "view")
    assert [(hit["title"], hit["rank"] > 0) for hit in found] == [
        ("Exact", True),
        ("Inside", False),
    ]


def test_chinese_without_spaces_is_found_and_highlighted_as_typed(
    owner: Person, workspace: str
) -> None:
    create(owner, workspace, "中文", "这是中文文本的搜索测试。")
    create(owner, workspace, "日本語", "これは日本語のテキストです。")
    create(owner, workspace, "Split", "中 and 文 apart")
    [hit] = hits(owner, workspace, "文本")
    assert hit["title"] == "中文"
    assert marked(hit) == ["文本"]
    assert titles(owner, workspace, "日本語") == ["日本語"]
    assert titles(owner, workspace, "テキスト") == ["日本語"]


def test_the_trash_is_never_searched(owner: Person, workspace: str) -> None:
    kept = create(owner, workspace, "Kept", "zebra stripes")
    gone = create(owner, workspace, "Gone", "zebra crossing")
    assert owner("DELETE", f"/api/documents/{gone}").status == 204
    assert [hit["document_id"] for hit in hits(owner, workspace, "zebra")] == [kept]
    assert hits(owner, workspace, "cross") == []  # nor by substring


def test_a_change_is_searchable_in_the_very_next_request(owner: Person, workspace: str) -> None:
    document = create(owner, workspace, "Draft", "walrus")
    changed = owner("PATCH", f"/api/documents/{document}", {"title": "Final", "content": "otter"},
                    {"if-match": '"1"'})  # fmt: skip
    assert changed.status == 200
    assert titles(owner, workspace, "otter") == ["Final"]
    assert titles(owner, workspace, "walrus") == []
    assert titles(owner, workspace, "final") == ["Final"]


def test_pages_cover_every_hit_once(owner: Person, workspace: str) -> None:
    made = {create(owner, workspace, f"Page {n}", f"common word {'common ' * n}") for n in range(7)}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        answer = search(owner, workspace, "common", **params)
        assert answer.status == 200, answer.body
        seen += [hit["document_id"] for hit in answer.body["items"]]
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    ranks = [hit["rank"] for hit in hits(owner, workspace, "common", limit=50)]
    assert ranks == sorted(ranks, reverse=True)


def test_substring_hits_page_on(owner: Person, workspace: str) -> None:
    made = {create(owner, workspace, f"Doc {n}", "xylophones galore") for n in range(5)}
    first = search(owner, workspace, "ylophon", limit=2)
    assert first.status == 200 and first.body["next_cursor"]
    rest = search(owner, workspace, "ylophon", limit=10, cursor=first.body["next_cursor"])
    seen = [hit["document_id"] for hit in first.body["items"] + rest.body["items"]]
    assert sorted(seen) == sorted(made)
    assert rest.body["next_cursor"] is None


def test_an_english_workspace_stems(owner: Person) -> None:
    english = new_workspace(owner, search_language="english")
    simple = new_workspace(owner)
    for workspace in (english, simple):
        create(owner, workspace, "Log", "She edited the documents yesterday.")
    # Stemmed: editing -> edit, documentation -> document; neither is a substring of the text.
    assert titles(owner, english, "editing documentation") == ["Log"]
    assert titles(owner, simple, "editing documentation") == []


@pytest.mark.parametrize(
    "q",
    ["", "   ", "\t", "x" * 201, "a\x00b", "bell\x07"],
    ids=["empty", "blank", "tab", "201-chars", "nul", "control"],
)
def test_a_bad_query_is_422(owner: Person, workspace: str, q: str) -> None:
    answer = search(owner, workspace, q)
    assert answer.status == 422, answer.body
    assert "detail" in answer.body


def test_a_query_of_200_characters_is_fine(owner: Person, workspace: str) -> None:
    assert search(owner, workspace, "é" * 200).status == 200


def test_no_q_and_bad_limits_are_422(owner: Person, workspace: str) -> None:
    assert owner("GET", f"/api/workspaces/{workspace}/search").status == 422
    assert search(owner, workspace, "x", limit=51).status == 422
    assert search(owner, workspace, "x", limit=0).status == 422


FORGED = (
    "nope",
    "WyJ3IiwgdHJ1ZV0",  # ["w", true]
    # ["w", true, NaN, "2026-12-03T00:00:00+00:00", "00000000-…"]
    "WyJ3IiwgdHJ1ZSwgTmFOLCAiMjAyNi0xMi0wM1QwMDowMDowMCswMDowMCIsICIwMDAwMDAwMC0wMDAwLTAw"
    "MDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ",
)


@pytest.mark.parametrize("cursor", FORGED)
def test_a_forged_cursor_is_400(owner: Person, workspace: str, cursor: str) -> None:
    answer = search(owner, workspace, "x", cursor=cursor)
    assert (answer.status, answer.body) == (400, {"detail": "Invalid cursor"})


def test_queries_with_no_word_to_look_for_answer_empty(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Some", "text !!! here")
    for q in ("?!", "!!!", "-text", "or", '""', "-", "a"):
        answer = search(owner, workspace, q)
        assert (answer.status, answer.body["items"]) == (200, []), q


def test_like_wildcards_are_plain_characters(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Percent", "100%_done")
    create(owner, workspace, "Other", "100 percent done")
    assert titles(owner, workspace, "0%_done") == ["Percent"]
    assert titles(owner, workspace, "___") == []


def test_strangers_get_404_and_every_member_may_search(
    mail_server: MailServer, owner: Person, workspace: str
) -> None:
    create(owner, workspace, "Secret", "launch codes")
    stranger = person(mail_server)
    answer = search(stranger, workspace, "launch")
    assert (answer.status, answer.body) == (404, NOT_FOUND)
    assert search(stranger, "not-a-uuid", "launch").status == 404
    viewer = member_of(mail_server, owner, workspace, "viewer")
    assert titles(viewer, workspace, "launch") == ["Secret"]


def test_a_deleted_workspace_is_404(owner: Person, workspace: str) -> None:
    create(owner, workspace, "Gone", "soon")
    assert owner("DELETE", f"/api/workspaces/{workspace}").status == 204
    assert search(owner, workspace, "soon").status == 404


def test_the_limit_is_per_user_and_cannot_be_spent_by_another(
    mail_server: MailServer, owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(SEARCH_USER_MAX=3)
    other = member_of(mail_server, owner, workspace, "viewer")
    for _ in range(3):
        assert search(other, workspace, "anything").status == 200
    refused = search(other, workspace, "anything")
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) >= 1
    # Another workspace does not reset it; the owner's own budget is untouched.
    assert search(other, new_workspace(other), "anything").status == 429
    assert search(owner, workspace, "anything").status == 200


def test_a_bad_cursor_or_query_costs_no_search(
    owner: Person, workspace: str, override_settings: Any
) -> None:
    override_settings(SEARCH_USER_MAX=2)
    for _ in range(3):
        assert search(owner, workspace, "", limit=5).status == 422
        assert search(owner, workspace, "x", cursor="nope").status == 400
    assert search(owner, workspace, "fine").status == 200
