"""Shared helpers of the blueprint ARM template tests (no tests here).

Render a blueprint's Azure template the way iacli does (parameters resolved from blueprint.yaml, the core's
sandboxed renderer, ``json.loads`` as the parser), swap asset placeholders for URLs like the provider will,
and deploy / what-if the result in the in-memory ARM emulator through the real azure-mgmt SDK clients.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if importlib.util.find_spec("iacli_azure") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "providers" / "azure"))

import yaml
from iacli_azure.arm.expressions import FunctionCall, parse_template_string
from iacli_azure.arm.functions import lookup_function
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients, make_clients

from iacli.assets import PLACEHOLDER_PREFIX
from iacli.blueprint.loader import load_blueprint
from iacli.blueprint.params import ParamSource, resolve
from iacli.render import RenderedTemplate, render_template

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
GROUP = "rg-bp"
LOCATION = "westeurope"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
PACKAGE_URL = "https://stpackages.blob.core.windows.net/packages/{sha}.zip"


def example_files(blueprint: str) -> list[Path]:
    return sorted((BLUEPRINTS / blueprint / "examples").glob("*.yaml"))


def example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text()) or {}
    assert isinstance(data, dict)
    return data


@dataclass
class Rendered:
    text: str  # the rendered text, placeholders swapped
    template: dict[str, Any]
    raw: RenderedTemplate


def render(blueprint: str, stack: str | None = None, **params: Any) -> Rendered:
    """Render ``blueprint``'s Azure template with ``params`` (over the defaults) as iacli does."""
    loaded = load_blueprint(blueprint, Path("/nonexistent"))
    resolved = resolve(loaded.spec.parameters, [ParamSource("test", params)])
    stack = stack or f"{blueprint}-dev"
    context = {
        "params": resolved.public(),
        "stack_name": stack,
        "env": "dev",
        "blueprint": {"name": loaded.spec.name, "version": loaded.spec.version},
    }
    raw = render_template(loaded.root, loaded.spec.providers["azure"].template, context, _parse)
    text = raw.text
    for placeholder, asset in raw.assets.items():
        text = text.replace(placeholder, PACKAGE_URL.format(sha=asset.sha256))
    assert PLACEHOLDER_PREFIX not in text
    return Rendered(text, json.loads(text), raw)


def _parse(text: str, source: str) -> dict[str, Any]:
    body = json.loads(text)
    assert isinstance(body, dict), source
    return body


def body(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "properties": {
            "template": template,
            "parameters": {name: {"value": value} for name, value in (parameters or {}).items()},
            "mode": "Incremental",
        }
    }


class Arm:
    """An emulated subscription with one resource group, driven through the real SDK clients."""

    def __init__(self) -> None:
        self.emulator = Emulator()
        self.clients: EmulatorClients = make_clients(self.emulator)
        self.clients.resources.resource_groups.create_or_update(GROUP, {"location": LOCATION})

    def deploy(
        self, template: dict[str, Any], parameters: dict[str, Any] | None = None, name: str = "main"
    ) -> Any:
        poller = self.clients.deployments.deployments.begin_create_or_update(
            GROUP, name, body(template, parameters), polling_interval=0
        )
        return poller.result()

    def what_if(self, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> Any:
        poller = self.clients.deployments.deployments.begin_what_if(
            GROUP, "whatif", body(template, parameters), polling_interval=0
        )
        return poller.result().changes

    def resource(self, resource_id: str, api_version: str) -> Any:
        return self.clients.resources.resources.get_by_id(resource_id, api_version=api_version)

    def resources(self) -> list[Any]:
        return list(self.clients.resources.resources.list_by_resource_group(GROUP))


def outputs(result: Any) -> dict[str, Any]:
    return {name: value["value"] for name, value in (result.properties.outputs or {}).items()}


def resources_of(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["resources"] if r["type"].casefold() == resource_type.casefold()]


def one(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources_of(template, resource_type)
    assert len(found) == 1, f"{len(found)} resources of type {resource_type}"
    return found[0]


def functions_used(template: Any) -> set[str]:
    """Names of every template function the expressions of ``template`` call (metadata skipped)."""
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "metadata":
                    walk(key)
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            parsed = parse_template_string(value)
            if not isinstance(parsed, str):
                collect(parsed)

    def collect(node: Any) -> None:
        if isinstance(node, FunctionCall):
            names.add(node.name)
        for field in dataclasses.fields(node):
            child = getattr(node, field.name)
            for item in child if isinstance(child, (list, tuple)) else [child]:
                if dataclasses.is_dataclass(item):
                    collect(item)

    walk(template)
    return names


def unsupported_functions(template: Any) -> list[str]:
    bad = []
    for name in sorted(functions_used(template)):
        try:
            lookup_function(name)
        except Exception as error:  # noqa: BLE001 - report every unsupported name
            bad.append(f"{name}: {error}")
    return bad


def flatten(delta: Any, prefix: str = "") -> dict[str, Any]:
    """``{full path: delta item}`` of a what-if delta's leaves (array children as ``a[0].b``)."""
    found: dict[str, Any] = {}
    for item in delta or []:
        path = (
            f"{prefix}[{item.path}]"
            if item.path.isdigit()
            else (f"{prefix}.{item.path}" if prefix else item.path)
        )
        if item.children:
            found.update(flatten(item.children, path))
        else:
            found[path] = item
    return found


def camel(name: str) -> str:
    """The ARM output name of a neutral output: ``api_url`` -> ``apiUrl``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def expected_outputs(blueprint: str, params: dict[str, Any]) -> set[str]:
    spec = load_blueprint(blueprint, Path("/nonexistent")).spec
    return {camel(name) for name, out in spec.outputs.items() if not out.when or params.get(out.when)}
