"""CI's verdict: skipped coverage fails the run unless CI_MAY_SKIP allows that kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.ci import (
    Outcome,
    SamLocal,
    _files_of,
    main,
    read_junit,
    read_sam_local,
    suite_files,
    verdict,
)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
  <testcase classname="tests.unit.core.test_logs" name="test_a" />
  <testcase classname="tests.functions.test_faults" name="test_postgres_stopped">
    <skipped type="pytest.skip" message="PostgreSQL server binaries (initdb, pg_ctl) are missing"/>
  </testcase>
  <testcase classname="tests.unit.auth.test_passwords" name="test_b">
    <failure message="x"/>
  </testcase>
</testsuite></testsuites>
"""
RAN = SamLocal("ran", "sam-local: 15 passed, 0 failed")


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_junit_counts_passed_failed_and_skipped_with_reasons(tmp_path: Path) -> None:
    outcome = read_junit(_write(tmp_path, JUNIT, "junit.xml"))
    assert outcome.passed == 1
    assert outcome.failed == ["tests.unit.auth.test_passwords::test_b"]
    assert outcome.skipped == [
        (
            "tests.functions.test_faults::test_postgres_stopped",
            "PostgreSQL server binaries (initdb, pg_ctl) are missing",
        )
    ]
    assert outcome.files == {
        "tests/unit/core/test_logs.py",
        "tests/functions/test_faults.py",
        "tests/unit/auth/test_passwords.py",
    }


def test_a_skipped_fault_test_fails_the_run() -> None:
    tests = Outcome(passed=3, skipped=[("t::fault", "redis-server is not installed")])
    lines, ok = verdict(tests, RAN, None, set(), set())
    assert not ok
    assert "1 × redis-server is not installed" in "\n".join(lines)
    assert lines[-1] == "CI: FAIL"


def test_skips_pass_when_ci_may_skip_tests() -> None:
    tests = Outcome(passed=3, skipped=[("t::fault", "redis-server is not installed")])
    assert verdict(tests, RAN, None, {"tests"}, set())[1]


def test_a_skipped_sam_local_run_fails_unless_allowed() -> None:
    skipped = SamLocal("skipped", "sam local tests: dockerd cannot start: needs root")
    assert not verdict(Outcome(passed=1), skipped, None, set(), set())[1]
    assert verdict(Outcome(passed=1), skipped, None, {"sam-local"}, set())[1]


def test_a_test_file_that_ran_nothing_fails_the_run() -> None:
    tests = Outcome(passed=1, files={"tests/unit/test_a.py"})
    lines, ok = verdict(tests, RAN, None, set(), {"tests/unit/test_a.py", "tests/build/test_b.py"})
    assert not ok
    assert "tests/build/test_b.py" in "\n".join(lines)


def test_sam_local_log_states(tmp_path: Path) -> None:
    assert read_sam_local(_write(tmp_path, "x\nSKIPPED: sam local tests: no\n", "a")).state == (
        "skipped"
    )
    assert read_sam_local(_write(tmp_path, "sam-local: 3 passed, 0 failed\n", "b")) == SamLocal(
        "ran", "sam-local: 3 passed, 0 failed"
    )
    assert read_sam_local(_write(tmp_path, "killed\n", "c")).state == "missing"
    assert read_sam_local(None).state == "missing"


def test_every_test_file_is_in_the_suite() -> None:
    files = suite_files()
    assert "tests/build/test_artifacts.py" in files
    assert "tests/tools/test_ci.py" in files


def test_collected_ids_name_their_files() -> None:
    collected = "tests/a/test_x.py::test_one\ntests/a/test_x.py::test_two[1]\n\n3 tests collected\n"
    assert _files_of(collected) == {"tests/a/test_x.py"}


def test_cli_prints_counts_last_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI_MAY_SKIP", raising=False)
    junit = _write(tmp_path, JUNIT, "junit.xml")
    log = _write(tmp_path, "SKIPPED: sam local tests: dockerd cannot start\n", "sam.log")
    argv = ["summary", "--junit", str(junit), "--sam-local-log", str(log), "--no-file-check"]
    assert main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "CI: FAIL"
    assert "make test: 1 passed, 1 failed, 1 skipped" in out
