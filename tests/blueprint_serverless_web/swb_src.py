"""Importing the serverless-web function code (blueprints/serverless-web/src) the way both runtimes do:
the folder is the package's root on ``sys.path`` (no tests here)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

SRC = Path(__file__).resolve().parents[2] / "blueprints" / "serverless-web" / "src"


def load(name: str) -> ModuleType:
    """Import ``src/<name>.py`` (and the siblings it imports) without writing bytecode into src/."""
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep src/ (the zip) clean
    sys.path.insert(0, str(SRC))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(SRC))
        sys.dont_write_bytecode = dont_write

