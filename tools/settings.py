"""The functions' settings outside Lambda: names from `mdcreator.core.config.Settings`, values
from a profile, `.env` and the shell, written as SAM's `--env-vars` file.

`Settings` is the one list of settings. Its field names, upper-cased, are the environment
variables the functions read; the template declares each of them (a test checks), so
`sam local` and the emulator pass on what an env-vars file or the shell sets. A value that is
empty or absent leaves the default in `Settings`, the only place defaults live.

    python -m tools.settings env-vars [--profile P] [--dotenv .env] [--set K=V]... -o FILE
    python -m tools.settings exec [--profile P] [--dotenv .env] -- COMMAND ARGS...
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LAYER_PACKAGE = ROOT / "layers" / "common" / "mdcreator"
if str(LAYER_PACKAGE.parent) not in sys.path:
    sys.path.append(str(LAYER_PACKAGE.parent))
# What Settings declares, kept per content of the layer's package: reading it from a file
# spares `make run` importing pydantic and the settings module (about half a second).
FACTS_CACHE = ROOT / ".emulator" / "settings-facts"

# What the local loop sets on top of Settings' defaults. A browser on one machine is one IP,
# and every test client shares one too: per-IP limits would get in the way of both.
PROFILES: dict[str, dict[str, str]] = {
    "development": {
        "ENV": "development",
        "SIGNUP_IP_MAX": "1000",
        "LOGIN_IP_MAX_FAILURES": "1000",
        "LOGIN_IP_ATTEMPTS_PER_MIN": "1000",
        "MAIL_IP_MAX": "1000",
    },
    "test": {
        "ENV": "test",
        "BCRYPT_ROUNDS": "4",
        "SIGNUP_IP_MAX": "100000",
        "LOGIN_IP_MAX_FAILURES": "100000",
        # Tests log in to one account many times a minute; the attempt limits' own tests set
        # the production values.
        "LOGIN_IP_ATTEMPTS_PER_MIN": "100000",
        "LOGIN_ACCOUNT_ATTEMPTS_PER_MIN": "100000",
        "MAIL_IP_MAX": "100000",
    },
}


# The development key pair: made on the first `make run`, kept out of git (.gitignore).
DEV_KEYS = ROOT / ".dev-keys.env"


def fresh_keys() -> dict[str, str]:
    """A new ES256 pair as JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS (compact JSON)."""
    from mdcreator.auth.keys import generate_private_jwk, public_jwks_of

    private = generate_private_jwk()
    return {
        "JWT_PRIVATE_KEY": json.dumps(private, separators=(",", ":")),
        "JWT_PUBLIC_KEYS": json.dumps(public_jwks_of(private), separators=(",", ":")),
    }


def dev_keys(path: Path = DEV_KEYS) -> dict[str, str]:
    """This checkout's development pair, generated once and kept owner-only."""
    if not path.is_file():
        lines = "".join(f"{name}={value}\n" for name, value in fresh_keys().items())
        partial = path.with_name(path.name + ".partial")
        partial.touch(mode=0o600)
        partial.write_text(lines)
        partial.replace(path)
    return read_dotenv(path)


def profile_values(profile: str) -> dict[str, str]:
    """A profile's settings plus a key pair: the checkout's in development, a fresh one else."""
    return {**PROFILES[profile], **(dev_keys() if profile == "development" else fresh_keys())}


class UnknownSetting(ValueError):
    """A name that is not a field of Settings."""


def setting_names() -> list[str]:
    """Every environment variable the functions read, in Settings' order."""
    return list(_facts()["names"])


def secret_names() -> frozenset[str]:
    """Settings typed SecretStr/SecretBytes: never given a value in the template."""
    return frozenset(_facts()["secrets"])


def default(name: str) -> str | None:
    """A setting's default in Settings as text, None when it has no plain default."""
    value = _facts()["defaults"].get(name)
    return value if isinstance(value, str) else None


def source_digest(package: Path = LAYER_PACKAGE) -> str:
    """A digest of every module of the package, its subpackages' included (Settings lives in
    core/config.py): any change to them is a new cache entry."""
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


@cache
def _facts() -> dict[str, Any]:
    cached = FACTS_CACHE / f"{source_digest()}.json"
    if cached.is_file():
        facts: dict[str, Any] = json.loads(cached.read_text())
        return facts
    facts = _facts_from_settings()
    cached.parent.mkdir(parents=True, exist_ok=True)
    for stale in cached.parent.glob("*.json"):
        stale.unlink(missing_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(facts))
    partial.replace(cached)
    return facts


def _facts_from_settings() -> dict[str, Any]:
    from pydantic import SecretBytes, SecretStr

    from mdcreator.core.config import Settings

    fields = Settings.model_fields
    return {
        "names": [name.upper() for name in fields],
        "secrets": sorted(
            name.upper()
            for name, field in fields.items()
            if field.annotation in (SecretStr, SecretBytes)
        ),
        "defaults": {
            name.upper(): field.default
            for name, field in fields.items()
            if isinstance(field.default, str | int | float) and not isinstance(field.default, bool)
        },
    }


def check_names(names: Iterable[str], where: str) -> None:
    unknown = sorted(set(names) - set(setting_names()))
    if unknown:
        raise UnknownSetting(f"{where}: not a setting of mdcreator.core.config.Settings: {unknown}")


def read_dotenv(path: Path) -> dict[str, str]:
    """A dotenv file as python-dotenv parses it; `$`, `#`, quotes and spaces kept as written."""
    from dotenv import dotenv_values

    values = dotenv_values(path, interpolate=False)
    return {name: value for name, value in values.items() if value is not None}


def compose(
    profile: Mapping[str, str] = PROFILES["development"],
    dotenv: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each setting's value: the shell's over `.env`'s over the profile's; unset ones left out."""
    layers = [profile, dotenv or {}, environ if environ is not None else os.environ]
    values: dict[str, str] = {}
    for name in setting_names():
        for layer in layers:
            if name in layer:
                values[name] = layer[name]
    return values


def every_setting(values: Mapping[str, str]) -> dict[str, str]:
    """All settings, unset ones as "" (the default): nothing from the caller's shell leaks in."""
    check_names(values, "values")
    return {name: values.get(name, "") for name in setting_names()}


def write_env_vars(path: Path, values: Mapping[str, str]) -> None:
    """SAM's `--env-vars` file: the values for every function ("Parameters"), owner-only."""
    check_names(values, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.touch(mode=0o600)
    partial.chmod(0o600)
    partial.write_text(json.dumps({"Parameters": dict(values)}, indent=2) + "\n")
    partial.replace(path)


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.settings", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sources = argparse.ArgumentParser(add_help=False)
    sources.add_argument("--profile", choices=sorted(PROFILES), default="development")
    sources.add_argument("--dotenv", type=Path, help="a dotenv file (skipped when absent)")
    sources.add_argument("--set", type=_assignment, action="append", default=[], metavar="K=V")
    sources.add_argument(
        "--hermetic",
        action="store_true",
        help='ignore the shell, and write every setting ("" = default) so none leaks in later',
    )
    env_vars = commands.add_parser("env-vars", parents=[sources], help="write SAM --env-vars")
    env_vars.add_argument("-o", "--output", type=Path, required=True)
    run = commands.add_parser("exec", parents=[sources], help="run a command with the settings")
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ARGS")
    commands.add_parser("names", help="print every setting's environment variable")
    return parser


def values_from(args: argparse.Namespace) -> dict[str, str]:
    """Every setting, from the profile, the dotenv file, the shell, then --set; "" if unset.

    All of them, so that a deploy-time value in the template (a secret's dynamic reference)
    never reaches a local function: "" there means Settings' default.
    """
    dotenv = read_dotenv(args.dotenv) if args.dotenv and args.dotenv.is_file() else {}
    ignored = sorted(set(dotenv) - set(setting_names()))
    if ignored:
        sys.stderr.write(f"{args.dotenv}: not settings of the functions, ignored: {ignored}\n")
    values = compose(profile_values(args.profile), dotenv, {} if args.hermetic else os.environ)
    values.update(args.set)
    check_names(values, "--set")
    return every_setting(values)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "names":
        sys.stdout.write("\n".join(setting_names()) + "\n")
        return 0
    try:
        values = values_from(args)
    except UnknownSetting as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.command == "env-vars":
        write_env_vars(args.output, values)
        return 0
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not command:
        sys.stderr.write("exec: no command given\n")
        return 2
    os.execvpe(command[0], command, {**os.environ, **values})
    return 127  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
