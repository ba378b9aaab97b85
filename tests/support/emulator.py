"""The tests' names for tools.emulator and tools.ports (the emulator as a subprocess)."""

from tools.emulator import (
    READY_PATH,
    REPO_ROOT,
    SAM_PYTHON,
    EmulatorProcess,
    emulator_command,
    running_emulator,
    start_api,
    start_api_args,
)
from tools.ports import free_port

__all__ = [
    "READY_PATH",
    "REPO_ROOT",
    "SAM_PYTHON",
    "EmulatorProcess",
    "emulator_command",
    "free_port",
    "running_emulator",
    "start_api",
    "start_api_args",
]
