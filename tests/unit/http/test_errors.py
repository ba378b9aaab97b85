"""The one map from error categories to status codes covers every error the domains raise."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import mdcreator
from mdcreator.core import errors as categories
from mdcreator.core.errors import DomainError
from mdcreator.http.errors import STATUS_OF, status_of


def _every_error() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(mdcreator.__path__, "mdcreator."):
        importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    todo = [DomainError]
    while todo:
        for kind in todo.pop().__subclasses__():
            found.append(kind)
            todo.append(kind)
    return found


def test_every_category_of_core_errors_has_its_status() -> None:
    direct = {
        kind
        for kind in vars(categories).values()
        if isinstance(kind, type) and DomainError in kind.__bases__
    }
    assert direct == set(STATUS_OF)


@pytest.mark.parametrize("kind", _every_error(), ids=lambda kind: kind.__qualname__)
def test_every_domain_error_answers_with_a_status_of_its_category(
    kind: type[DomainError],
) -> None:
    assert status_of(kind.__new__(kind)) in STATUS_OF.values()
