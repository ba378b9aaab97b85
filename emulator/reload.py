"""Hot reload: a change under a function's code or layer restarts only its environments."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

LOG = logging.getLogger(__name__)

_IGNORED_PARTS = ("__pycache__", ".pytest_cache", ".git")
_IGNORED_SUFFIXES = (".pyc", ".swp", ".swx", "~")


class _Dispatch(FileSystemEventHandler):
    def __init__(self, roots: dict[str, set[str]], restart: Callable[[set[str]], None]) -> None:
        self._roots = roots
        self._restart = restart

    def on_any_event(self, event: FileSystemEvent) -> None:
        if (
            event.event_type in ("opened", "closed_no_write")
            or event.is_directory
            and event.event_type == "modified"
        ):
            return
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        keys = {
            key for path in paths if path and not _ignored(path) for key in self._keys_for(path)
        }
        if keys:
            LOG.info("%s changed: restarting %s", paths[0], ", ".join(sorted(keys)))
            self._restart(keys)

    def _keys_for(self, path: str) -> set[str]:
        return {
            key
            for root, keys in self._roots.items()
            if path == root or path.startswith(root + os.sep)
            for key in keys
        }


def _ignored(path: str) -> bool:
    return path.endswith(_IGNORED_SUFFIXES) or any(
        part in path.split(os.sep) for part in _IGNORED_PARTS
    )


def watch(roots: dict[str, set[str]], restart: Callable[[set[str]], None]) -> BaseObserver:
    """Watch each root folder; call `restart` with the function keys depending on what changed."""
    observer = Observer()
    handler = _Dispatch({os.path.realpath(root): keys for root, keys in roots.items()}, restart)
    for root in handler._roots:
        observer.schedule(handler, root, recursive=True)
    observer.daemon = True
    observer.start()
    return observer
