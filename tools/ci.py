"""CI's verdict: what ran, what was skipped and why; coverage may not vanish quietly.

    python -m tools.ci summary --junit FILE [--sam-local-log FILE] [--sam-local-junit FILE]

Fails (exit 1) when a test failed, when `make test` skipped a test, when a test file ran no
test at all, or when the sam-local run was SKIPPED or did not finish, unless CI_MAY_SKIP
names that kind: `tests` (skipped tests in `make test`), `sam-local` (a SKIPPED run).
The sam-local HTTP suite's own skips are gateway differences the tests declare; they are
counted and listed, not failed. The last lines say the counts and the verdict.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_KINDS = {"tests", "sam-local"}


@dataclass
class Outcome:
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (test id, reason)
    files: set[str] = field(default_factory=set)  # test modules that ran at least one test


def read_junit(path: Path) -> Outcome:
    outcome = Outcome()
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        name = f"{classname}::{case.get('name', '')}"
        module = _module_path(classname)
        if module:
            outcome.files.add(module)
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            outcome.failed.append(name)
        elif skipped is not None:
            outcome.skipped.append((name, _skip_reason(skipped)))
        else:
            outcome.passed += 1
    return outcome


def _module_path(classname: str) -> str:
    """`tests.unit.core.test_logs` (or `….TestX`) -> `tests/unit/core/test_logs.py`."""
    parts = classname.split(".")
    while parts and not (ROOT / Path(*parts).with_suffix(".py")).is_file():
        parts.pop()
    return Path(*parts).with_suffix(".py").as_posix() if parts else ""


def _skip_reason(element: ElementTree.Element) -> str:
    reason = element.get("message") or element.text or "no reason given"
    return re.sub(r"\s+", " ", reason).strip()


def suite_files(root: Path = ROOT) -> set[str]:
    """Every test file under tests/: `make test` must run each, but those of `make stress`."""
    return {path.relative_to(root).as_posix() for path in (root / "tests").rglob("test_*.py")}


def stress_only_files(root: Path = ROOT) -> set[str]:
    """Files whose every test is marked `stress` (left out of `make test` on purpose)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    stress = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-m", "stress"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return _files_of(stress.stdout) - _files_of(listed.stdout)


def _files_of(collected: str) -> set[str]:
    return {line.split("::", 1)[0] for line in collected.splitlines() if "::" in line}


@dataclass(frozen=True)
class SamLocal:
    state: str  # "ran", "skipped", "missing"
    detail: str = ""


def read_sam_local(log: Path | None) -> SamLocal:
    if log is None or not log.is_file():
        return SamLocal("missing", "no sam-local log")
    text = log.read_text(errors="replace")
    if match := re.search(r"^SKIPPED: (.*)$", text, re.MULTILINE):
        return SamLocal("skipped", match.group(1))
    if match := re.search(r"^sam-local: (\d+) passed, (\d+) failed$", text, re.MULTILINE):
        return SamLocal("ran", match.group(0))
    return SamLocal("missing", "the sam-local run did not finish")


def _why(skipped: list[tuple[str, str]]) -> list[str]:
    return [f"    {count} × {reason}" for reason, count in Counter(r for _, r in skipped).items()]


def verdict(
    tests: Outcome,
    sam_local: SamLocal,
    sam_tests: Outcome | None,
    may_skip: set[str],
    files: set[str],
) -> tuple[list[str], bool]:
    lines = ["--- CI summary"]
    problems: list[str] = []
    lines.append(
        f"make test: {tests.passed} passed, {len(tests.failed)} failed, "
        f"{len(tests.skipped)} skipped"
    )
    lines += _why(tests.skipped)
    problems += [f"failed: {name}" for name in tests.failed]
    if tests.skipped and "tests" not in may_skip:
        problems.append(f"{len(tests.skipped)} test(s) skipped in make test (CI_MAY_SKIP=tests)")
    silent = sorted(files - tests.files)
    if silent:
        problems.append(f"test files that ran no test: {', '.join(silent)}")
    lines.append(f"sam-local: {sam_local.state}: {sam_local.detail}")
    if sam_tests is not None:
        lines.append(
            f"sam-local HTTP suite: {sam_tests.passed} passed, {len(sam_tests.failed)} failed, "
            f"{len(sam_tests.skipped)} skipped (gateway differences)"
        )
        lines += _why(sam_tests.skipped)
        problems += [f"failed through sam local: {name}" for name in sam_tests.failed]
    if sam_local.state == "skipped" and "sam-local" not in may_skip:
        problems.append("the sam-local run was SKIPPED (CI_MAY_SKIP=sam-local allows it)")
    if sam_local.state == "missing":
        problems.append(f"sam-local: {sam_local.detail}")
    lines += [f"PROBLEM: {problem}" for problem in problems]
    lines.append("CI: FAIL" if problems else "CI: PASS")
    return lines, not problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.ci", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="print the counts and the verdict")
    summary.add_argument("--junit", type=Path, required=True, help="make test's JUnit XML")
    summary.add_argument("--sam-local-log", type=Path)
    summary.add_argument("--sam-local-junit", type=Path)
    summary.add_argument(
        "--no-file-check", action="store_true", help="skip: every test file ran a test"
    )
    args = parser.parse_args(argv)
    may_skip = {kind.strip() for kind in os.environ.get("CI_MAY_SKIP", "").split(",") if kind}
    unknown = may_skip - SKIP_KINDS
    if unknown:
        print(f"CI_MAY_SKIP: unknown kind(s) {sorted(unknown)}; known: {sorted(SKIP_KINDS)}")
        return 2
    tests = read_junit(args.junit) if args.junit.is_file() else Outcome(failed=["no JUnit"])
    sam_junit = args.sam_local_junit
    sam_tests = read_junit(sam_junit) if sam_junit and sam_junit.is_file() else None
    sam_local = read_sam_local(args.sam_local_log)
    expected = set() if args.no_file_check else suite_files() - stress_only_files()
    lines, ok = verdict(tests, sam_local, sam_tests, may_skip, expected)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
