"""Fix: make the sandbox models the ones moto's parser uses, whatever the import order.

moto behaviour corrected: ``moto.cloudformation.parsing.get_model_list()`` is
``CloudFormationModel.__subclasses__()`` behind an ``lru_cache``. A model defined after the first
CloudFormation call is never seen, and when two models claim one type, ``get_model_map()`` keeps the
last subclass while ``resource_name_property_from_type()`` takes the first: which one wins depends on
import order. The replacement puts moto's models (minus the types the sandbox replaces) first and the
sandbox models after them, and the caches are cleared so the list is built afresh.

Also: ``parsing.NULL_MODELS`` (types moto skips outright, before looking at models) loses the types the
sandbox models, i.e. ``AWS::CloudFormation::WaitConditionHandle``.
"""

from __future__ import annotations

import functools

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from ..models import SANDBOX_MODELS, sandbox_types
from ._patching import replace


def model_list() -> list[type[CloudFormationModel]]:
    """moto's models for the types the sandbox does not model, then the sandbox models."""
    ours = sandbox_types()
    theirs = [
        model
        for model in CloudFormationModel.__subclasses__()
        if model not in SANDBOX_MODELS and model.cloudformation_type() not in ours
    ]
    return theirs + list(SANDBOX_MODELS)


def _cached_model_list(_original: object) -> object:
    return functools.lru_cache(maxsize=None)(model_list)


def apply() -> None:
    """Install :func:`model_list` as moto's model list and drop moto's cached maps."""
    replace(parsing, "get_model_list", _cached_model_list)
    parsing.NULL_MODELS = [name for name in parsing.NULL_MODELS if name not in sandbox_types()]
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
