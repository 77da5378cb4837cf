"""What-if through the SDK: Create, Modify with property deltas, NoChange, Ignore, Delete, NoEffect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emu_helpers import GROUP, Deploy, aci_template, template

WhatIf = Callable[..., Any]

STORAGE = {
    "type": "Microsoft.Storage/storageAccounts",
    "apiVersion": "2022-09-01",
    "name": "[parameters('account')]",
    "location": "[resourceGroup().location]",
    "sku": {"name": "[parameters('sku')]"},
    "kind": "StorageV2",
    "tags": {"env": "test"},
    "properties": {"minimumTlsVersion": "TLS1_2"},
}
STORAGE_PARAMETERS = {
    "account": {"type": "string", "defaultValue": "emuwhatif01"},
    "sku": {"type": "string", "defaultValue": "Standard_LRS"},
}


def storage_template(**resource: Any) -> dict[str, Any]:
    return template([{**STORAGE, **resource}], parameters=STORAGE_PARAMETERS)


def by_type(changes: Any) -> dict[str, Any]:
    return {change.resource_id.rsplit("/providers/", 1)[1]: change for change in changes}


def flatten(delta: Any, prefix: str = "") -> dict[str, Any]:
    """``{full path: delta item}`` for leaf items, array children included (``a.b[0].c``)."""
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


def test_new_resources_are_created(what_if: WhatIf) -> None:
    changes = what_if(storage_template())
    assert [change.change_type for change in changes] == ["Create"]
    assert changes[0].after["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert changes[0].before is None


def test_redeploying_the_same_template_is_no_change(deploy: Deploy, what_if: WhatIf) -> None:
    deploy(storage_template())
    changes = what_if(storage_template())
    assert [change.change_type for change in changes] == ["NoChange"]
    assert changes[0].before["properties"]["primaryEndpoints"]["blob"].startswith("https://emuwhatif01.blob.")


def test_cpu_change_is_a_modify_with_before_and_after(deploy: Deploy, what_if: WhatIf) -> None:
    deploy(aci_template(), {"dbPassword": "pw"})
    changes = what_if(aci_template(), {"dbPassword": "pw", "cpu": 2})
    assert [change.change_type for change in changes] == ["Modify"]
    delta = flatten(changes[0].delta)
    assert list(delta) == ["properties.containers[0].properties.resources.requests.cpu"]
    item = delta["properties.containers[0].properties.resources.requests.cpu"]
    assert (item.property_change_type, item.before, item.after) == ("Modify", 1, 2)
    top = changes[0].delta[0]
    assert (top.path, top.property_change_type) == ("properties.containers", "Array")


def test_secret_changes_are_detected_by_hash(deploy: Deploy, what_if: WhatIf) -> None:
    deploy(aci_template(), {"dbPassword": "pw"})
    assert what_if(aci_template(), {"dbPassword": "pw"})[0].change_type == "NoChange"
    changed = what_if(aci_template(), {"dbPassword": "other"})[0]
    assert changed.change_type == "Modify"
    leaf = next(iter(flatten(changed.delta).values()))
    assert "pw" not in repr(leaf.before) and "other" not in repr(leaf.after)


def test_property_create_delete_modify_and_tags(deploy: Deploy, what_if: WhatIf) -> None:
    deploy(storage_template())
    changed = storage_template(
        tags={"env": "prod", "owner": "me"},
        properties={"supportsHttpsTrafficOnly": True},
        sku={"name": "Standard_GRS"},
    )
    delta = flatten(what_if(changed)[0].delta)
    kinds = {path: item.property_change_type for path, item in delta.items()}
    assert kinds == {
        "sku.name": "Modify",
        "tags.env": "Modify",
        "tags.owner": "Create",
        "properties.supportsHttpsTrafficOnly": "Create",
        "properties.minimumTlsVersion": "Delete",
    }
    assert delta["properties.minimumTlsVersion"].before == "TLS1_2"


def test_read_only_properties_set_by_the_template_have_no_effect(deploy: Deploy, what_if: WhatIf) -> None:
    deploy(storage_template())
    changed = storage_template(properties={"minimumTlsVersion": "TLS1_2", "statusOfPrimary": "unavailable"})
    change = what_if(changed)[0]
    assert change.change_type == "NoChange"
    item = flatten(change.delta)["properties.statusOfPrimary"]
    assert (item.property_change_type, item.before, item.after) == ("NoEffect", "available", "unavailable")


@pytest.mark.parametrize(("mode", "expected"), [("Incremental", "Ignore"), ("Complete", "Delete")])
def test_resources_not_in_the_template(deploy: Deploy, what_if: WhatIf, mode: str, expected: str) -> None:
    deploy(aci_template(), {"dbPassword": "pw"})
    changes = by_type(what_if(storage_template(), mode=mode))
    assert changes["Microsoft.ContainerInstance/containerGroups/hello"].change_type == expected
    assert changes["Microsoft.ContainerInstance/containerGroups/hello"].before["name"] == "hello"
    assert changes["Microsoft.Storage/storageAccounts/emuwhatif01"].change_type == "Create"


def test_references_to_resources_not_deployed_yet_stay_expressions(what_if: WhatIf) -> None:
    site = {
        "type": "Microsoft.Web/serverfarms",
        "apiVersion": "2022-03-01",
        "name": "plan",
        "location": "[resourceGroup().location]",
        "properties": {
            "reserved": "[contains(reference(resourceId('Microsoft.Storage/storageAccounts', 'emuwhatif01')).primaryEndpoints, 'web')]"
        },
        "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts', 'emuwhatif01')]"],
    }
    changes = by_type(what_if(template([STORAGE, site], parameters=STORAGE_PARAMETERS)))
    after = changes["Microsoft.Web/serverfarms/plan"].after
    assert after["properties"]["reserved"].startswith("[contains(reference(")


def test_what_if_changes_nothing(clients: Any, what_if: WhatIf) -> None:
    what_if(storage_template())
    assert list(clients.resources.resources.list_by_resource_group(GROUP)) == []
