"""Loading a test helper module by its path: test directories are not packages (pytest's importlib mode)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_by_path(path: Path, name: str) -> ModuleType:
    """The module at ``path`` under ``name``, loaded once (a second caller gets the same module, so its
    fixtures and dataclasses are one set)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
