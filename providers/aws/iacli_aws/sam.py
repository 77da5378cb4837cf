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

    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    fragment = copy.deepcopy(dict(body))
    params = {k: str(v) for k, v in parameters.items()}
    to_py27_compatible_template(fragment, params)
    # A session that only carries the region: the translator reads AWS::Region/Partition from it.
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    try:
        result = translator.translate(fragment, parameter_values=params, get_managed_policy_map=dict)
    except InvalidDocumentException as exc:
        causes = "; ".join(c.message for c in exc.causes) or exc.message
        raise TemplateError(f"SAM template is invalid: {causes}") from None
    out: dict[str, Any] = undo_mark_unicode_str_in_template(result)
    return out
