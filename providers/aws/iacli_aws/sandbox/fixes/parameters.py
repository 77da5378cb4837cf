"""Fix (k): SSM-typed stack parameters resolve like CloudFormation's; public SSM parameters can be seeded.

moto behaviour corrected (``moto.cloudformation.parsing.ResourceMap.load_parameters``):

- The ``Default`` of every ``AWS::SSM::Parameter::Value<...>`` parameter is looked up in SSM even when
  the stack gives the parameter a value, so a template whose defaults name public parameters the
  sandbox lacks (``/aws/service/canonical/ubuntu/...``) cannot be deployed even with values given.
  Only the value actually used (given, else the default) is looked up now.
- A parameter missing from SSM raises ``AttributeError`` inside moto: an HTTP 500 that botocore
  retries. It is now CloudFormation's ``ValidationError``: "Unable to fetch parameters [NAME] from
  parameter store for this account."
- ``AWS::SSM::Parameter::Name`` parameters were looked up as if they were ``Value<...>`` ones (the
  template got the parameter's value instead of its name); they are now passed through.
- The defaults of ``CommaDelimitedList``/``List<...>`` parameters stayed strings (only given values
  were split), so ``Fn::Select`` picked a character; defaults are now converted like given values.
- DescribeStacks showed an SSM-typed parameter's resolved value as its ``ParameterValue`` (AWS shows
  the SSM parameter name there, the value under ``ResolvedValue``), and ``UsePreviousValue`` passed
  the resolved value back as a parameter *name*, failing the update. Both now use the name. List
  values are shown comma-separated, as given (moto showed a Python list's text).

Seeding public parameters: AWS (and moto) refuse PutParameter for names under ``/aws``
(``AccessDeniedException``); public parameters such as AMI ids exist in every real account, but moto
ships only a few (``/aws/service/ami-amazon-linux-latest/...``, ``/aws/service/ecs/optimized-ami/...``,
``/aws/service/global-infrastructure/...``). In the sandbox, PutParameter **is allowed for names under
``/aws/service/``** (nothing else under ``/aws``), so a test or a user can give the sandbox the public
parameters a template's ``AWS::SSM::Parameter::Value<...>`` defaults name, with the ordinary SSM API::

    aws --endpoint-url $SANDBOX ssm put-parameter --type String \\
        --name /aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id \\
        --value ami-0123456789abcdef0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from moto.cloudformation.exceptions import MissingParameterError, ValidationError
from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import ResourceMap
from moto.ssm.models import SimpleSystemManagerBackend, ssm_backends

from ._patching import replace
from .errors import is_not_found

#: Names PutParameter accepts in the sandbox although AWS reserves them.
PUBLIC_PREFIX = "/aws/service/"
_STAGING = "/iacli-sandbox-staging"
_SSM_VALUE = "AWS::SSM::Parameter::Value<"
# Where the SSM parameter names of a resource map's SSM-typed parameters are kept (key -> name).
_NAMES = "iacli_ssm_parameter_names"


def fetch_failed(name: str) -> ValidationError:
    """CloudFormation's error for an SSM parameter that cannot be read."""
    return ValidationError(
        message=f"Unable to fetch parameters [{name}] from parameter store for this account."
    )


def resolve_ssm(account_id: str, region_name: str, name: str, value_type: str) -> Any:
    """The value of SSM parameter ``name`` for a parameter of type ``value_type`` (a list for list types)."""
    try:
        parameter = ssm_backends[account_id][region_name].get_parameter(name)
    except Exception as error:
        if is_not_found(error):
            raise fetch_failed(name) from error
        raise
    if parameter is None:
        raise fetch_failed(name)
    value: str = parameter.value
    inner = value_type[len(_SSM_VALUE) : -1]
    return value.split(",") if "List" in inner else value


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def convert(value: Any, value_type: str) -> Any:
    """A parameter's value as the template sees it (lists split, numbers parsed); non-strings as given."""
    if not isinstance(value, str):
        return value
    if value_type == "CommaDelimitedList" or value_type.startswith("List"):
        items = value.split(",")
        return [_number(item) for item in items] if value_type == "List<Number>" else items
    if value_type == "Number":
        return _number(value)
    return value


def ssm_names(resource_map: ResourceMap) -> dict[str, str]:
    """Parameter key -> SSM parameter name, for the map's ``AWS::SSM::Parameter::Value<...>`` parameters."""
    names: dict[str, str] = getattr(resource_map, _NAMES, None) or {}
    return names


def _loading_parameters(_original: Callable[..., Any]) -> Callable[..., Any]:
    def load_parameters(self: ResourceMap) -> None:
        slots: Mapping[str, Any] = self._template.get("Parameters") or {}
        resolved: dict[str, Any] = {}
        names: dict[str, str] = {}
        self.no_echo_parameter_keys = []
        for key, slot in slots.items():
            value_type = str(slot.get("Type", "String"))
            given = key in self.input_parameters
            value = self.input_parameters[key] if given else slot.get("Default")
            if value is None:
                raise MissingParameterError(key)
            if value_type.startswith(_SSM_VALUE):
                names[key] = str(value)
                value = resolve_ssm(self._account_id, self._region_name, str(value), value_type)
            elif not value_type.startswith("AWS::SSM::Parameter::"):
                value = convert(value, value_type)
            if given and slot.get("NoEcho"):
                self.no_echo_parameter_keys.append(key)
            resolved[key] = value
        self.resolved_parameters.update(resolved)
        setattr(self, _NAMES, names)
        self._parsed_resources.update(self.resolved_parameters)

    return load_parameters


def _text(value: Any) -> Any:
    """A parameter value as DescribeStacks shows it: lists comma-separated."""
    return ",".join(str(item) for item in value) if isinstance(value, list) else value


def _parameters_by_name(_original: Callable[..., Any]) -> property:
    def stack_parameters(self: Stack) -> dict[str, Any]:
        return {**self.resource_map.resolved_parameters, **ssm_names(self.resource_map)}

    return property(stack_parameters)


def _listing_names(original: Callable[..., Any]) -> property:
    def parameter_list(self: Stack) -> list[dict[str, Any]]:
        names = ssm_names(self.resource_map)
        listed: list[dict[str, Any]] = original(self)
        for entry in listed:
            key, value = entry["ParameterKey"], _text(entry["ParameterValue"])
            if key in names:
                entry["ParameterValue"], entry["ResolvedValue"] = names[key], value
            else:
                entry["ParameterValue"] = value
        return listed

    return property(parameter_list)


def _allowing_public_parameters(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_parameter(self: SimpleSystemManagerBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        if not name.startswith(PUBLIC_PREFIX):
            return original(self, name, *args, **kwargs)
        # moto refuses the name itself: write under a staging name, then move the versions (and tags).
        parameters, staged = self._parameters, _STAGING + name
        if name in parameters:  # also loads the public parameters moto bundles under this path
            dict.__setitem__(parameters, staged, dict.pop(parameters, name))
        try:
            return original(self, staged, *args, **kwargs)
        finally:
            versions = dict.pop(parameters, staged, None)
            if versions:
                for version in versions:
                    version.name = name
                dict.__setitem__(parameters, name, versions)
            tags: dict[str, Any] = self._resource_tags.get("Parameter") or {}
            if staged in tags:
                tags[name] = tags.pop(staged)

    return put_parameter


def apply() -> None:
    """Install the parameter behaviour described in the module docstring."""
    replace(ResourceMap, "load_parameters", _loading_parameters)
    replace(Stack, "stack_parameters", _parameters_by_name)
    replace(Stack, "parameter_list", _listing_names)
    replace(SimpleSystemManagerBackend, "put_parameter", _allowing_public_parameters)
