"""The template, read by SAM CLI's own providers: stacks, functions, API routes, overrides."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.errors import EmulatorError

if TYPE_CHECKING:
    from samcli.lib.providers.provider import Api, Stack
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider

LOG = logging.getLogger(__name__)


@dataclass
class Project:
    """One loaded template and what the emulator derives from it."""

    template: Path
    stacks: list[Stack]
    functions: SamFunctionProvider
    env_vars: dict[str, Any]

    @property
    def base_dir(self) -> Path:
        """CodeUris are relative to the template's folder, as for `sam local`."""
        return self.template.parent

    def function_ids(self) -> list[str]:
        return sorted(function.full_path for function in self.functions.get_all())

    def api(self) -> Api:
        from samcli.lib.providers.api_provider import ApiProvider

        return ApiProvider(self.stacks, cwd=str(self.base_dir)).api


def parse_parameter_overrides(values: list[str]) -> dict[str, str]:
    """SAM's `--parameter-overrides` syntax (`K=V`, `ParameterKey=K,ParameterValue=V`, `file://`)."""
    if not values:
        return {}
    import click
    from samcli.cli.types import CfnParameterOverridesType

    try:
        return dict(CfnParameterOverridesType().convert(tuple(values), None, None))
    except click.ClickException as exc:
        raise EmulatorError(f"--parameter-overrides: {exc.format_message()}") from exc


def load_env_vars(path: Path | None) -> dict[str, Any]:
    """SAM's env.json: {"FunctionLogicalId": {...}, "Parameters": {...}}."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EmulatorError(f"cannot read --env-vars {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise EmulatorError(
            f'--env-vars {path}: expected {{"FunctionId": {{...}}, "Parameters": {{...}}}}'
        )
    return data


def load_project(
    template: Path, parameter_overrides: dict[str, str], env_vars: dict[str, Any]
) -> Project:
    """Read the template with SAM's stack and function providers (intrinsics, Globals resolved)."""
    if not template.is_file():
        raise EmulatorError(f"template not found: {template}")
    template = template.resolve()
    from samcli.commands._utils.template import (
        TemplateFailedParsingException,
        TemplateNotFoundException,
    )
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    try:
        stacks, _ = SamLocalStackProvider.get_stacks(
            str(template), parameter_overrides=parameter_overrides
        )
    except (TemplateNotFoundException, TemplateFailedParsingException) as exc:
        raise EmulatorError(f"cannot read template {template}: {exc}") from exc
    functions = SamFunctionProvider(stacks, ignore_code_extraction_warnings=True)
    return Project(template=template, stacks=stacks, functions=functions, env_vars=env_vars)
