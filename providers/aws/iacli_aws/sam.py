"""Local SAM translation (aws-sam-translator), cached by input hash.

iacli translates SAM itself so plans can diff processed templates, and so the sandbox (moto has no
Transform support) gets plain CloudFormation. The translator is ~0.6 s to import; a cached translation
costs a file read.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from iacli.cache import JsonCache, digest
from iacli.errors import TemplateError


class _BundledPoliciesOnly:
    """Managed-policy loader that never calls IAM: the translator's bundled map is used instead."""

    def load(self) -> dict[str, str]:
        return {}


def translate(body: Mapping[str, Any], parameters: Mapping[str, Any], region: str, cache_dir: Path) -> dict[str, Any]:
    """The CloudFormation that SAM would produce for ``body`` in ``region``."""
    cache = JsonCache(cache_dir / "sam")
    key = digest("sam-v1", version("aws-sam-translator"), region, body, dict(parameters))
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    result = _translate(body, parameters, region)
    cache.put(key, result)
    return result


def _translate(body: Mapping[str, Any], parameters: Mapping[str, Any], region: str) -> dict[str, Any]:
    import copy

    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    # The translator's documented way to know the region without a boto3 session lookup.
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    params = {"AWS::Region": region, **{k: str(v) for k, v in parameters.items()}}
    try:
        result: dict[str, Any] = transform(copy.deepcopy(dict(body)), params, _BundledPoliciesOnly())
    except InvalidDocumentException as exc:
        causes = "; ".join(c.message for c in exc.causes) or exc.message
        raise TemplateError(f"SAM template is invalid: {causes}") from None
    return result
