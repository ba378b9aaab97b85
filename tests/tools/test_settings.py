"""Settings is the one list: every other place that names settings is derived or checked here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mdcreator.core.config import Settings
from tests.support.paths import ROOT
from tools.settings import (
    PROFILES,
    UnknownSetting,
    _facts_from_settings,
    compose,
    default,
    every_setting,
    main,
    read_dotenv,
    secret_names,
    setting_names,
    source_digest,
    write_env_vars,
)
from tools.template import functions

FUNCTIONS = functions()
# Set by the template, read by something other than Settings: the Lambda runtime's own
# variables, and the namespace that the functions' metrics (embedded metric format) take, by
# the name Powertools gives it.
NOT_SETTINGS = re.compile(r"^(AWS_.+|POWERTOOLS_METRICS_NAMESPACE)$")
# Values a shell or an editor would mangle: $, #, both quotes, spaces, a backslash.
AWKWARD = {
    "JWT_PRIVATE_KEY": "pa$$word #1 \"dq\" 'sq' ${HOME} back\\slash",
    "REDIS_KEY_PREFIX": "mdc #dev: ",
    "LOG_LEVEL": "DEBUG",
}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_is_given_every_setting(logical_id: str) -> None:
    # SAM (and the emulator) pass an env-vars file's value only for a declared variable.
    declared = set(FUNCTIONS[logical_id].environment)
    missing = [name for name in setting_names() if name not in declared | secret_names()]
    hint = "".join(f'\n        {name}: ""' for name in missing)
    assert not missing, f"template.yaml Globals.Function.Environment.Variables lacks:{hint}"


def test_template_declares_settings_without_defaults() -> None:
    # Defaults live in Settings only: a declared setting is "" or a deploy-time parameter.
    raw = next(iter(FUNCTIONS.values())).raw_global_environment
    literals = {
        name: value
        for name, value in raw.items()
        if isinstance(value, str) and value and not NOT_SETTINGS.match(name)
    }
    assert literals == {}


def test_template_declares_only_settings() -> None:
    names = {name for facts in FUNCTIONS.values() for name in facts.environment}
    assert sorted(names - set(setting_names()) - {n for n in names if NOT_SETTINGS.match(n)}) == []
    # A name is a setting or read elsewhere, never both.
    assert [name for name in setting_names() if NOT_SETTINGS.match(name)] == []


def test_secrets_never_have_a_value_in_the_template() -> None:
    raw = next(iter(FUNCTIONS.values())).raw_global_environment
    for name in secret_names() & set(raw):
        assert raw[name] == "" or not isinstance(raw[name], str), name


@pytest.mark.parametrize("path", ["env.json"])
def test_committed_env_vars_files_name_only_settings(path: str) -> None:
    data = json.loads((ROOT / path).read_text())
    for scope in data.values():
        assert sorted(set(scope) - set(setting_names())) == []


def test_env_example_names_only_settings() -> None:
    assert sorted(set(read_dotenv(ROOT / ".env.example")) - set(setting_names())) == []


def test_the_cached_facts_are_what_settings_declares() -> None:
    facts = _facts_from_settings()
    assert setting_names() == facts["names"] == [name.upper() for name in Settings.model_fields]
    assert secret_names() == set(facts["secrets"])
    assert default("REDIS_URL") == Settings.model_fields["redis_url"].default


def test_a_change_to_a_subpackage_module_is_a_new_facts_cache_entry(tmp_path: Path) -> None:
    package = tmp_path / "mdcreator"
    (package / "core").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    config = package / "core" / "config.py"
    config.write_text("a: int = 1\n")
    before = source_digest(package)
    config.write_text("a: int = 1\nb: int = 2\n")
    assert source_digest(package) != before


def test_the_tests_give_every_function_every_setting(app_env: dict[str, str]) -> None:
    assert list(app_env) == setting_names()


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_profiles_are_valid_settings(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    values = compose(PROFILES[profile], {}, {})
    Settings(**{name.lower(): value for name, value in values.items()})  # type: ignore[arg-type]


def test_dotenv_values_survive_as_written(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "JWT_PRIVATE_KEY='pa$$word #1 \"dq\" ${HOME} x'\n"
        'REDIS_KEY_PREFIX="mdc #dev: \\"q\\" $x"\n'
        "LOG_LEVEL=plain value # a comment\n"
        "JWT_ISSUER=a#b$c\n"
    )
    assert read_dotenv(dotenv) == {
        "JWT_PRIVATE_KEY": 'pa$$word #1 "dq" ${HOME} x',
        "REDIS_KEY_PREFIX": 'mdc #dev: "q" $x',
        "LOG_LEVEL": "plain value",
        "JWT_ISSUER": "a#b$c",
    }


def test_the_shell_wins_over_dotenv_over_the_profile() -> None:
    values = compose(
        {"ENV": "development", "SIGNUP_IP_MAX": "1000"},
        {"SIGNUP_IP_MAX": "7", "LOG_LEVEL": "DEBUG", "NOT_A_SETTING": "x"},
        {"LOG_LEVEL": "WARNING", "HOME": "/root"},
    )
    assert values == {"ENV": "development", "SIGNUP_IP_MAX": "7", "LOG_LEVEL": "WARNING"}


def test_env_vars_file_keeps_awkward_values(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    write_env_vars(path, AWKWARD)
    assert json.loads(path.read_text()) == {"Parameters": AWKWARD}
    assert path.stat().st_mode & 0o077 == 0


def test_unknown_names_are_refused() -> None:
    with pytest.raises(UnknownSetting, match="SIGNUP_IP_MAXX"):
        every_setting({"SIGNUP_IP_MAXX": "1"})


def test_cli_writes_dotenv_and_shell_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text('REDIS_KEY_PREFIX="mdc #dev: "\n')
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    output = tmp_path / "out" / "env.json"
    assert main(["env-vars", "--dotenv", str(dotenv), "-o", str(output)]) == 0
    written = json.loads(output.read_text())["Parameters"]
    assert written["REDIS_KEY_PREFIX"] == "mdc #dev: "
    assert written["LOG_LEVEL"] == "DEBUG"
    assert written["ENV"] == "development"
    # Every setting: a secret's deploy-time reference in the template never reaches a function.
    assert list(written) == setting_names()
    assert written["DATABASE_URL"] == ""


def test_development_keys_are_made_once_and_kept_private(tmp_path: Path) -> None:
    from mdcreator.auth.keys import parse_private_key, parse_public_keys
    from tools.settings import dev_keys

    path = tmp_path / ".dev-keys.env"
    first = dev_keys(path)
    assert dev_keys(path) == first
    assert path.stat().st_mode & 0o077 == 0
    signing = parse_private_key(first["JWT_PRIVATE_KEY"])
    assert parse_public_keys(first["JWT_PUBLIC_KEYS"]).get(signing.kid) is not None


def test_gitignore_keeps_the_development_keys_out_of_git() -> None:
    assert ".dev-keys.env" in (ROOT / ".gitignore").read_text().split()
