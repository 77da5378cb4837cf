"""Offline validation with cfn-lint (SAM included), cached by the hash of the text linted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iacli.cache import JsonCache, digest
from iacli.providers import Diagnostic, Severity

_SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING}


def lint(text: str, source: str, region: str, cache_dir: Path) -> list[Diagnostic]:
    """cfn-lint findings for a template text; line numbers refer to that text."""
    from importlib.metadata import version

    cache = JsonCache(cache_dir / "lint")
    key = digest("lint-v1", version("cfn-lint"), region, text)
    cached = cache.get(key)
    if cached is None:
        cached = _run(text, region)
        cache.put(key, cached)
    return [
        Diagnostic(rule=d["rule"], severity=Severity(d["severity"]), message=d["message"], path=d["path"],
                   line=d["line"], source=source)
        for d in cached
    ]


def _run(text: str, region: str) -> list[dict[str, Any]]:
    from cfnlint.api import ManualArgs
    from cfnlint.api import lint as cfn_lint

    matches = cfn_lint(text, config=ManualArgs(regions=[region]))
    return [
        {
            "rule": m.rule.id,
            "severity": _SEVERITY.get(str(m.rule.severity).lower(), Severity.INFO).value,
            "message": m.message,
            "path": "/".join(str(p) for p in (getattr(m, "path", None) or [])),
            "line": m.linenumber,
        }
        for m in matches
    ]
