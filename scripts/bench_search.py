"""`make bench` (search): search latency in Postgres and through the emulation, and the write
cost of keeping the search data.

A throwaway database migrated to head holds one workspace of `--documents` documents of
about 2 KB and ten others of a tenth as many each, generated from a fixed-seed vocabulary
(Zipf-distributed words, known phrases, code blocks, a Chinese paragraph in every tenth
document), seeded by INSERT ... SELECT with the search trigger on and the search indexes
built after the rows. For each query kind (one word, two words, a phrase, half a word, a
Chinese word) it prints p50/p95 of the SQL the service runs, acting as a member (row-level
security included): the layer's own search() runs in process and each of its statements is
run once more under EXPLAIN ANALYZE, whose Execution Times are summed per search. Then the
same queries through the emulated API (a search past the service's statement timeout
answers 503 and is counted), then PATCH p50 with the search trigger and indexes and with
them disabled and dropped. The search indexes and triggers are read from the catalog, not
named here. Figures go to .cache/bench/search.json too.

    python scripts/bench_search.py [--documents 100000] [--runs 30] [--from-source]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from itertools import accumulate
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common"), str(ROOT / "scripts")]

from bench import _delete_keys, bench_env, expect, mint_access_tokens, timed  # noqa: E402

from tools.database import (  # noqa: E402
    connect,
    create_database,
    drop_database,
    migrate,
    sqlalchemy_url,
)
from tools.emulator import EmulatorProcess, start_api_args  # noqa: E402
from tools.ports import free_port  # noqa: E402

SEED = 20261203
VOCABULARY_SIZE = 4000
SENTENCES = 50_000
TITLES = 5_000
CJK_PARAGRAPHS = 2_000
PHRASES = 40
SENTENCES_PER_DOCUMENT = 28
OTHER_WORKSPACES = 10
CHUNK = 20_000
LIMIT = 20
GOAL_POSTGRES_MS = 50.0
GOAL_HTTP_MS = 100.0
KINDS = ("one-word", "two-word", "phrase", "half-word", "cjk")
OUTPUT = ROOT / ".cache" / "bench" / "search.json"

CHINESE_WORDS = (
    "数据 系统 文档 搜索 用户 服务 网络 应用 开发 测试 设计 管理 项目 问题 方法 时间 信息 技术"
    " 工作 公司 市场 产品 经济 社会 文化 教育 历史 科学 研究 分析 结果 发展 建设 环境 资源 能源"
    " 安全 质量 标准 模型 算法 程序 代码 接口 客户 团队 会议 计划 目标 任务 进度 风险 成本 预算"
    " 需求 功能 性能 版本 发布 部署 配置 监控 日志 错误 修复 文件 目录 存储 缓存 索引 查询 事务"
    " 权限 账户 密码 登录 注册 邮件 通知 消息 页面 按钮 表格 图片 视频 音频 语言 翻译 中文 英文"
    " 学习 知识 经验 思考 总结 报告 文章 编辑 协作 分享 评论"
).split()
CODE_BLOCKS = [
    ("python", "def handle_request(event, context):\n    body = json.loads(event['body'])\n"
               "    return {'statusCode': 200, 'body': json.dumps(body)}"),
    ("sql", "SELECT id, title FROM documents\n WHERE workspace_id = $1\n"
            " ORDER BY updated_at DESC LIMIT 25;"),
    ("typescript", "export async function fetchPage(cursor?: string): Promise<Page> {\n"
                   "  const answer = await api.get('/documents', { params: { cursor } });\n"
                   "  return answer.data;\n}"),
    ("bash", "set -euo pipefail\nfor file in build/*.zip; do\n  aws s3 cp \"$file\" s3://bucket/\n"
             "done"),
    ("python", "class RetryPolicy:\n    def __init__(self, attempts: int = 3) -> None:\n"
               "        self.attempts = attempts\n        self.backoff_ms = 200"),
    ("go", "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n"
           "\tctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)\n\tdefer cancel()\n}"),
    ("yaml", "services:\n  postgres:\n    image: postgres:15\n    environment:\n"
             "      POSTGRES_PASSWORD: secret"),
    ("rust", "fn parse_header(line: &str) -> Option<(&str, &str)> {\n"
             "    line.split_once(':').map(|(k, v)| (k.trim(), v.trim()))\n}"),
]  # fmt: skip


def _vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable words, most frequent first: shorter words come earlier, as in a language."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    seen: set[str] = set()
    while len(seen) < VOCABULARY_SIZE:
        word = "".join(rng.choice(syllables) for _ in range(rng.choice((2, 2, 3, 3, 3, 4, 4))))
        seen.add(word + rng.choice(("", "", "", "n", "r", "s", "t")))
    words = sorted(seen)
    rng.shuffle(words)
    return sorted(words, key=len)  # stable: random order within one length


class Corpus:
    """Everything generated from the seed: what the documents are made of, and the queries."""

    def __init__(self, runs: int) -> None:
        rng = random.Random(SEED)
        self.words = _vocabulary(rng)
        # Zipf (s = 1): the word of rank r is 1/r as frequent as the first.
        self._weights = list(accumulate(1 / rank for rank in range(1, len(self.words) + 1)))
        middle = self.words[200:3000]
        self.phrases = [" ".join(rng.sample(middle, 3)) for _ in range(PHRASES)]
        self.sentences = [self._sentence(rng) for _ in range(SENTENCES)]
        self.titles = [self._words(rng, rng.randint(2, 5)).capitalize() for _ in range(TITLES)]
        self.cjk = [self._chinese(rng) for _ in range(CJK_PARAGRAPHS)]
        self.queries = self._queries(rng, runs)

    def _words(self, rng: random.Random, count: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self._weights, k=count))

    def _sentence(self, rng: random.Random) -> tuple[str, str]:
        """(a heading made of its first words, the sentence), some with markup or a phrase."""
        words = self._words(rng, rng.randint(7, 14)).split()
        if rng.random() < 0.04:
            at = rng.randrange(len(words))
            words[at:at] = rng.choice(self.phrases).split()
        heading = " ".join(words[:3]).capitalize()
        if rng.random() < 0.15:
            at = rng.randrange(len(words))
            words[at] = rng.choice(("`{}`", "**{}**", "[{}](https://example.com/{})")).format(
                words[at], words[at]
            )
        return heading, " ".join(words).capitalize() + "."

    @staticmethod
    def _chinese(rng: random.Random) -> str:
        clauses = [
            "".join(rng.choices(CHINESE_WORDS, k=rng.randint(3, 6)))
            for _ in range(rng.randint(5, 8))
        ]
        return "，".join(clauses) + "。"

    def _queries(self, rng: random.Random, runs: int) -> dict[str, list[str]]:
        """`runs` different queries of each kind; the 20 most frequent words are left out,
        as nobody searches for the commonest words alone."""
        searchable = self.words[20:]
        known = set(self.words)
        long_words = [w for w in searchable if len(w) >= 8 and w[:5] not in known]
        pairs = [rng.sample(self.words[20:2000], 2) for _ in range(runs)]
        return {
            "one-word": rng.sample(searchable, runs),
            "two-word": [" ".join(pair) for pair in pairs],
            "phrase": [f'"{phrase}"' for phrase in rng.sample(self.phrases, min(runs, PHRASES))],
            "half-word": [word[:5] for word in rng.sample(long_words, runs)],
            "cjk": rng.sample(CHINESE_WORDS, min(runs, len(CHINESE_WORDS))),
        }


# One document: its title, a heading every six sentences, a code block, and in every tenth
# document a Chinese paragraph. hashint8 spreads the picks: the same n gives the same
# document on every run, and no two workspaces share an n.
DOCUMENTS_SQL = """
INSERT INTO documents (id, workspace_id, title, content, created_by, updated_by,
                       created_at, updated_at)
SELECT gen_random_uuid(), %(workspace)s, t.body,
       '# ' || t.body || b.body
           || E'\\n\\n```' || c.lang || E'\\n' || c.body || E'\\n```\\n'
           || CASE WHEN n %% 10 = 7 THEN E'\\n' || z.body || E'\\n' ELSE '' END,
       %(user)s, %(user)s, now() - n * interval '1 minute', now() - n * interval '1 minute'
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
  JOIN bench_titles t ON t.i = mod(hashint8(n) + 2147483648, %(titles)s)
  JOIN bench_code c ON c.i = mod(hashint8(n + 1000000000) + 2147483648, %(codes)s)
  JOIN bench_cjk z ON z.i = mod(hashint8(n + 2000000000) + 2147483648, %(cjk)s)
  CROSS JOIN LATERAL (
      SELECT string_agg(CASE WHEN k %% 6 = 1 THEN E'\\n\\n## ' || s.head || E'\\n\\n' || s.body
                             ELSE ' ' || s.body END, '' ORDER BY k) AS body
        FROM generate_series(1, %(per_document)s) AS k
        JOIN bench_sentences s ON s.i = mod(hashint8(n * 64 + k) + 2147483648, %(sentences)s)
  ) b
"""


def _fill_parts(cursor: Any, corpus: Corpus) -> None:
    """The generated pieces as temporary tables of the seeding session, numbered from 0."""
    parts: dict[str, tuple[list[str], list[str]]] = {
        "bench_sentences": ([h for h, _ in corpus.sentences], [s for _, s in corpus.sentences]),
        "bench_titles": (corpus.titles, corpus.titles),
        "bench_cjk": (corpus.cjk, corpus.cjk),
        "bench_code": ([lang for lang, _ in CODE_BLOCKS], [code for _, code in CODE_BLOCKS]),
    }
    for table, (heads, bodies) in parts.items():
        cursor.execute(f"CREATE TEMP TABLE {table} (i int PRIMARY KEY, head text, body text)")
        cursor.execute(
            f"INSERT INTO {table} SELECT i - 1, head, body"
            " FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(head, body, i)",
            (heads, bodies),
        )
        cursor.execute(f"ANALYZE {table}")
    # The code table's columns read better under their own names in DOCUMENTS_SQL.
    cursor.execute("ALTER TABLE bench_code RENAME COLUMN head TO lang")


def _tenants(cursor: Any, main_workspaces: int) -> dict[str, Any]:
    """The member (owner of the benchmarked workspace) and a neighbour owning the others,
    written as themselves where row-level security asks it."""
    member, neighbour = uuid.uuid4(), uuid.uuid4()
    cursor.execute(
        "INSERT INTO users (id, email, password_hash, email_verified) VALUES"
        " (%s, %s, 'x', true), (%s, %s, 'x', true)",
        (str(member), f"member-{member.hex[:8]}@example.com",
         str(neighbour), f"neighbour-{neighbour.hex[:8]}@example.com"),
    )  # fmt: skip
    owners = [member] + [neighbour] * (main_workspaces - 1)
    workspaces = []
    for number, owner in enumerate(owners):
        workspace = uuid.uuid4()
        cursor.execute("SELECT set_config('mdc.user_id', %s, false)", (str(owner),))
        cursor.execute(
            "INSERT INTO workspaces (id, name, created_by) VALUES (%s, %s, %s)",
            (str(workspace), f"Bench {number}", str(owner)),
        )
        cursor.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'owner')",
            (str(workspace), str(owner)),
        )
        workspaces.append((workspace, owner))
    return {"member": member, "neighbour": neighbour, "workspaces": workspaces}


# The search upkeep as the migrations made it, read from the catalog rather than named here:
# every GIN index of the schema (only search uses GIN), and the triggers on documents whose
# function is a search one.
SEARCH_INDEXES_SQL = """
SELECT i.relname, t.relname, pg_get_indexdef(i.oid)
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_am a ON a.oid = i.relam
 WHERE a.amname = 'gin' AND t.relnamespace = 'public'::regnamespace
 ORDER BY i.relname
"""
SEARCH_TRIGGERS_SQL = """
SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
 WHERE t.tgrelid = 'documents'::regclass AND NOT t.tgisinternal AND p.proname LIKE '%search%'
"""


def search_indexes(cursor: Any) -> list[tuple[str, str, str]]:
    """(index, table, definition) of each search index."""
    cursor.execute(SEARCH_INDEXES_SQL)
    found = [tuple(row) for row in cursor.fetchall()]
    assert found, "no GIN index: is the search migration applied?"
    return found


def drop_search_upkeep(url: str) -> list[str]:
    """The write cost's baseline: search triggers disabled, search indexes dropped."""
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(SEARCH_TRIGGERS_SQL)
        triggers = [name for (name,) in cursor.fetchall()]
        for name in triggers:
            cursor.execute(f"ALTER TABLE documents DISABLE TRIGGER {name}")
        indexes = search_indexes(cursor)
        for name, _table, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return triggers + [name for name, _table, _definition in indexes]


def seed(url: str, corpus: Corpus, documents: int) -> dict[str, Any]:
    """The tenants and their documents; the search indexes are built after the rows (as a
    bulk load would), the trigger writes what search reads row by row as in production."""
    seconds: dict[str, float] = {}
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        tenants = _tenants(cursor, 1 + OTHER_WORKSPACES)
        _fill_parts(cursor, corpus)
        indexes = search_indexes(cursor)
        for name, _table, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        sizes = {
            "titles": len(corpus.titles),
            "codes": len(CODE_BLOCKS),
            "cjk": len(corpus.cjk),
            "sentences": len(corpus.sentences),
            "per_document": SENTENCES_PER_DOCUMENT,
        }
        other = documents // 10
        ranges = [(1, documents)] + [
            (documents + i * other + 1, documents + (i + 1) * other)
            for i in range(OTHER_WORKSPACES)
        ]
        start = time.perf_counter()
        for (workspace, owner), (first, last) in zip(tenants["workspaces"], ranges, strict=True):
            cursor.execute("SELECT set_config('mdc.user_id', %s, false)", (str(owner),))
            for low in range(first, last + 1, CHUNK):
                values = {"workspace": str(workspace), "user": str(owner), **sizes}
                values.update(first=low, last=min(last, low + CHUNK - 1))
                cursor.execute(DOCUMENTS_SQL, values)
        seconds["insert (the trigger writes the search data)"] = time.perf_counter() - start
        for name, _table, definition in indexes:
            start = time.perf_counter()
            cursor.execute(definition)
            seconds[f"CREATE INDEX {name}"] = time.perf_counter() - start
        tables = sorted({"documents", *(table for _name, table, _definition in indexes)})
        start = time.perf_counter()
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        seconds[f"VACUUM (ANALYZE) {', '.join(tables)}"] = time.perf_counter() - start
        cursor.execute("RESET mdc.user_id")
        tenants["sizes"] = _sizes(cursor, tables, [name for name, _table, _definition in indexes])
    tenants["seconds"] = seconds
    return tenants


def _sizes(cursor: Any, tables: list[str], indexes: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for table in tables:
        cursor.execute("SELECT pg_relation_size(%s), pg_table_size(%s)", (table, table))
        heap, with_toast = cursor.fetchone() or (0, 0)
        sizes[f"{table} heap"] = heap
        sizes[f"{table} heap + TOAST"] = with_toast
    for name in indexes:
        cursor.execute("SELECT pg_relation_size(%s)", (name,))
        sizes[name] = (cursor.fetchone() or (0,))[0]
    return sizes


def _member_rows(url: str, member: uuid.UUID, sql: str, args: tuple[Any, ...]) -> list[Any]:
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT set_config('mdc.user_id', %s, false)", (str(member),))
        cursor.execute(sql, args)
        return list(cursor.fetchall())


def p50_p95(samples: list[float]) -> tuple[float, float]:
    """Milliseconds; p95 by nearest rank, as bench_attachments.py reads it."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _label(statement: str) -> str:
    for marker, label in (("numnode", "positive"), ("ts_rank_cd", "words"),
                          ("ILIKE", "substrings"), ("ts_headline", "headlines")):  # fmt: skip
        if marker in statement:
            return label
    return "bodies" if "left(content" in statement else "other"


def _matches(plan: dict[str, Any]) -> int:
    """The rows the pass's sort received: every match, before the LIMIT."""
    here = 0
    if plan.get("Node Type") == "Sort":
        (child,) = [p for p in plan["Plans"] if p.get("Parent Relationship") == "Outer"]
        here = int(child.get("Actual Rows", 0)) * int(child.get("Actual Loops", 1))
    # The page is sorted twice (ranked alone, then after the join): the larger input counts.
    return max([here, *(_matches(child) for child in plan.get("Plans", []))])


class Explainer:
    """While armed, runs every statement the session sends once more under EXPLAIN ANALYZE,
    on the same connection and in the same transaction (so as the same member)."""

    def __init__(self) -> None:
        self.armed = False
        self.plans: list[tuple[str, dict[str, Any]]] = []
        self.text_plan_of: str | None = None
        self.text_plan: str | None = None

    def after_cursor_execute(
        self,
        _conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if not self.armed or "set_config" in statement:
            return
        label = _label(statement)
        # psycopg2 buffers a result at execute: another cursor leaves the first one's rows.
        with cursor.connection.cursor() as explain:
            explain.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            result = explain.fetchone()[0]
            plan = (json.loads(result) if isinstance(result, str) else result)[0]
            self.plans.append((label, plan))
            if self.text_plan_of == label:
                explain.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                self.text_plan = "\n".join(row[0] for row in explain.fetchall())
                self.text_plan_of = None

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        self.plans = []
        self.armed = True
        try:
            yield self.plans
        finally:
            self.armed = False


def in_postgres(
    url: str, corpus: Corpus, member: uuid.UUID, workspace: uuid.UUID
) -> tuple[dict[str, Any], str | None]:
    """Each query through the layer's own search(), its statements timed by EXPLAIN ANALYZE.

    On an engine of its own: the service's has a statement timeout and a client deadline per
    round trip, and a search past them is timed to its end here, to show where time goes
    (through the emulation it answers 503, counted there)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import Session

    from mdcreator.auth.models import User
    from mdcreator.documents import search
    from mdcreator.workspaces import service

    engine = create_engine(sqlalchemy_url(url), pool_size=1, max_overflow=0)
    explainer = Explainer()
    event.listen(engine, "after_cursor_execute", explainer.after_cursor_execute)
    explainer.text_plan_of = "words"
    figures: dict[str, Any] = {}
    for kind in KINDS:
        totals, matches, hits = [], [], []
        parts: dict[str, list[float]] = {}
        for q in corpus.queries[kind]:
            with Session(engine, expire_on_commit=False) as db:
                user = db.get(User, member)
                assert user is not None
                entry = service.access(db, user, workspace)
                with explainer.recording() as plans:
                    page = search.search(entry, q, LIMIT, None)
                db.rollback()
            totals.append(sum(float(plan["Execution Time"]) for _, plan in plans))
            for label, plan in plans:
                parts.setdefault(label, []).append(float(plan["Execution Time"]))
            # JIT compilation counts in Execution Time: shown apart, as it is no index's cost.
            jit = [
                float(plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0)) for _, plan in plans
            ]
            parts.setdefault("of which JIT", []).append(sum(jit))
            matches.append(
                sum(_matches(p["Plan"]) for label, p in plans if label in ("words", "substrings"))
            )
            hits.append(len(page.items))
        p50, p95 = p50_p95(totals)
        # Progress of a long run, apart from the table: stderr.
        print(f"({kind} in Postgres: p50 {p50:.1f} ms, p95 {p95:.1f} ms)", file=sys.stderr)
        figures[kind] = {
            "postgres_p50_ms": p50,
            "postgres_p95_ms": p95,
            "statements_p50_ms": {label: statistics.median(v) for label, v in parts.items()},
            "statement_runs": {label: len(v) for label, v in parts.items()},
            "matches_median": statistics.median(matches),
            "hits_median": statistics.median(hits),
            "queries": corpus.queries[kind],
        }
    engine.dispose()
    return figures, explainer.text_plan


BUILD = ROOT / ".aws-sam" / "build"


def stale_build() -> list[str]:
    """The layer's modules whose built copy differs from the source: the emulation would run
    other SQL than the migrations and the in-process figures expect."""
    source = ROOT / "layers" / "common" / "mdcreator"
    built = BUILD / "CommonLayer" / "python" / "mdcreator"
    return [
        str(path.relative_to(source))
        for path in sorted(source.rglob("*.py"))
        if not filecmp.cmp(path, built / path.relative_to(source), shallow=False)
    ] if built.is_dir() else ["(no build)"]  # fmt: skip


def through_the_emulation(
    env: dict[str, str],
    corpus: Corpus,
    tenants: dict[str, Any],
    url: str,
    args: argparse.Namespace,
) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """The same queries as HTTP GETs, then PATCH p50 with and without the search upkeep."""
    workspace, member = tenants["workspaces"][0]
    (token,) = mint_access_tokens(member, 1)
    auth = {"Authorization": f"Bearer {token}"}
    # Two sets of documents nobody patched yet, each with warm-up ones ahead.
    edits = _member_rows(
        url,
        member,
        "SELECT id, content FROM documents WHERE workspace_id = %s ORDER BY id LIMIT %s",
        (str(workspace), 2 * (args.runs + 3)),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"Parameters": env}, handle)
    if args.from_source:
        code = [*start_api_args(from_source=True, env_vars=Path(handle.name)), "--no-reload"]
    else:
        code = start_api_args(build_dir=BUILD, env_vars=Path(handle.name))
    process = EmulatorProcess([*code, "--max-envs", "1", "--log-level", "WARNING"], free_port())
    try:
        process.wait_ready()
        with httpx.Client(base_url=process.url, timeout=60, headers=auth) as client:
            path = f"/api/workspaces/{workspace}/search"
            for q in corpus.words[100:103]:  # the function's cold start stays out of the runs
                client.get(path, params={"q": q, "limit": LIMIT})
            searches = {}
            for kind in KINDS:
                queries, statuses = corpus.queries[kind], list[int]()
                samples = timed(_searcher(client, path, queries, statuses), len(queries))
                p50, p95 = p50_p95(samples)
                failed = [status for status in statuses if status != 200]
                searches[kind] = {"http_p50_ms": p50 * 1000, "http_p95_ms": p95 * 1000,
                                  "http_failed": failed}  # fmt: skip
            patches = {"with search trigger and indexes": _patches(client, edits[: args.runs + 3])}
            dropped = ", ".join(drop_search_upkeep(url))
            patches[f"without ({dropped})"] = _patches(client, edits[args.runs + 3 :])
    finally:
        process.stop()
        os.unlink(handle.name)
    return searches, patches


def _searcher(
    client: httpx.Client, path: str, queries: list[str], statuses: list[int]
) -> Callable[[], Any]:
    """A call that searches for the next of `queries` each time, noting the answer's status:
    a search past the statement timeout answers 503, and counts with its time."""
    pending = iter(queries)

    def call() -> None:
        answer = client.get(path, params={"q": next(pending), "limit": LIMIT})
        statuses.append(answer.status_code)

    return call


def _patches(client: httpx.Client, documents: list[Any]) -> float:
    """p50 of PATCHes of a paragraph more, each of another document (version 1 as seeded);
    the first three warm the function and are left out."""
    samples = []
    for number, (document, content) in enumerate(documents):
        body = {"content": f"{content}\nAn edited paragraph, number {number}.\n"}
        start = time.perf_counter()
        expect(
            client.patch(f"/api/documents/{document}", json=body, headers={"If-Match": '"1"'}),
            200,
        )
        if number >= 3:
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _statuses(failed: list[int]) -> str:
    return f" ({', '.join(map(str, sorted(set(failed))))})" if failed else ""


def _report_data(figures: dict[str, Any]) -> None:
    print(f"documents: {figures['documents']:,} in the benchmarked workspace, "
          f"{figures['other_documents']:,} in {OTHER_WORKSPACES} others; "
          f"content {figures['content_bytes_avg']:,.0f} bytes on average, "
          f"{figures['with_chinese']:,} with a Chinese paragraph")  # fmt: skip
    print("seeding:")
    for step, seconds in figures["seed_seconds"].items():
        print(f"  {step:<46} {seconds:8.1f} s")
    print("sizes:")
    for name, size in figures["sizes_bytes"].items():
        print(f"  {name:<46} {size / 2**20:8.1f} MiB")
    sys.stdout.flush()


def _report_search(figures: dict[str, Any]) -> None:
    print(f"\nsearch, {figures['runs']} different queries per kind, limit {LIMIT}; "
          f"goals p95 <= {GOAL_POSTGRES_MS:.0f} ms in Postgres, <= {GOAL_HTTP_MS:.0f} ms "
          "through the emulation")  # fmt: skip
    print(f"  {'kind':<10} {'matches':>8} {'hits':>5}   {'Postgres p50':>12} {'p95':>11}"
          f" {'goal':>5}   {'HTTP p50':>11} {'p95':>11} {'goal':>5}  not 200")  # fmt: skip
    for kind in KINDS:
        row = figures["queries"][kind]
        pg_ok = "ok" if row["postgres_p95_ms"] <= GOAL_POSTGRES_MS else "MISS"
        http_ok = "ok" if row["http_p95_ms"] <= GOAL_HTTP_MS else "MISS"
        postgres = f"{row['postgres_p50_ms']:>9.1f} ms {row['postgres_p95_ms']:>8.1f} ms"
        http = f"{row['http_p50_ms']:>8.1f} ms {row['http_p95_ms']:>8.1f} ms"
        print(f"  {kind:<10} {row['matches_median']:>8.0f} {row['hits_median']:>5.0f}"
              f"   {postgres} {pg_ok:>5}   {http} {http_ok:>5}  {len(row['http_failed']):>3}"
              f"{_statuses(row['http_failed'])}")  # fmt: skip
    print("  Postgres p50 per statement (ms):")
    for kind in KINDS:
        parts = figures["queries"][kind]["statements_p50_ms"]
        runs = figures["queries"][kind]["statement_runs"]
        # JIT last: it is part of the statements before it.
        ordered = sorted(parts.items(), key=lambda item: item[0] == "of which JIT")
        line = ", ".join(f"{label} {ms:.1f} ({runs[label]}x)" for label, ms in ordered)
        print(f"    {kind:<10} {line}")
    print("\nPATCH /api/documents/{id} of about 2 KB through the emulation, p50:")
    for label, ms in figures["patch_p50_ms"].items():
        print(f"  {ms:8.2f} ms  {label}")
    print(f"\nfigures written to {OUTPUT.relative_to(ROOT)}")
    first = figures["queries"]["one-word"]["queries"][0]
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the word pass for {first!r}:")
    print(figures["explain_one_word"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--documents", type=int, default=100_000, help="in the benchmarked workspace"
    )
    parser.add_argument("--runs", type=int, default=30, help="queries per kind")
    parser.add_argument(
        "--from-source", action="store_true", help="emulate from functions/ and layers/, no build"
    )
    args = parser.parse_args()
    stale = [] if args.from_source else stale_build()
    if stale:
        print(f"the build differs from the source ({', '.join(stale[:5])}): `make build` first,")
        print("or pass --from-source")
        return 1
    url = create_database("mdc_bench_search")
    prefix = f"mdc-bench-{uuid.uuid4().hex[:6]}:"
    try:
        migrate(url)
        # Every query of the benchmark is one user's: the per-user limit would refuse.
        env = bench_env(url, prefix, {"SEARCH_USER_MAX": "1000000"})
        os.environ.update(env)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load}")
        corpus = Corpus(args.runs)
        tenants = seed(url, corpus, args.documents)
        workspace, member = tenants["workspaces"][0]
        ((average, chinese),) = _member_rows(
            url,
            member,
            "SELECT avg(octet_length(content)), count(*) FILTER (WHERE content ~ '[一-龥]')"
            " FROM documents WHERE workspace_id = %s",
            (str(workspace),),
        )
        figures: dict[str, Any] = {
            "machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
            "documents": args.documents,
            "other_documents": OTHER_WORKSPACES * (args.documents // 10),
            "content_bytes_avg": float(average),
            "with_chinese": chinese,
            "runs": args.runs,
            "seed_seconds": tenants["seconds"],
            "sizes_bytes": tenants["sizes"],
            "goals_ms": {"postgres_p95": GOAL_POSTGRES_MS, "http_p95": GOAL_HTTP_MS},
        }
        _report_data(figures)
        queries, text_plan = in_postgres(url, corpus, member, workspace)
        searches, patches = through_the_emulation(env, corpus, tenants, url, args)
        for kind, figures_over_http in searches.items():
            queries[kind].update(figures_over_http)
        figures.update(queries=queries, patch_p50_ms=patches, explain_one_word=text_plan)
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
        _report_search(figures)
    finally:
        drop_database(url)
        _delete_keys(prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
