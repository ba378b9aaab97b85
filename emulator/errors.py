"""Errors of the emulator: user-facing ones and the failures of one invocation."""

from __future__ import annotations

import json


class EmulatorError(Exception):
    """A problem the user can fix; the CLI shows it as one line."""


class InvokeFailure(Exception):
    """An invocation failed; carries the HTTP API Gateway response that stands for it."""

    status = 500
    message = "Internal Server Error"

    def __init__(self, function: str, body: bytes) -> None:
        self.function = function
        self.body = body
        super().__init__(f"{function}: {self.summary()}")

    def summary(self) -> str:
        """`errorType: errorMessage` of the Lambda error payload, or its raw text."""
        text = self.body.decode("utf-8", "replace").strip()
        try:
            payload = json.loads(text)
        except ValueError:
            return text or type(self).__name__
        if isinstance(payload, dict) and "errorType" in payload:
            return f"{payload['errorType']}: {payload.get('errorMessage', '')}"
        return text


class FunctionError(InvokeFailure):
    """The handler raised; the environment stays warm, as on Lambda."""


class EnvironmentCrash(InvokeFailure):
    """The runtime exited or failed to init (e.g. an import error); the environment is replaced."""

    status = 502


class FunctionTimeout(InvokeFailure):
    """The handler ran past the function's Timeout; the environment is replaced."""

    status = 504
    message = "Gateway Timeout"


class PayloadTooLarge(InvokeFailure):
    """The event exceeds Lambda's 6 MB synchronous invocation payload."""

    status = 413
    message = "Request Entity Too Large"
