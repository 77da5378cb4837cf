"""Evaluator tests: parameters, variables, copy loops, conditions, dependencies, outputs, nesting.

Doc pages:
https://learn.microsoft.com/azure/azure-resource-manager/templates/parameters
https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-resources
https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-properties
https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-variables
https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-outputs
https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-dependency
https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment
https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from iacli_azure.arm import (
    CopyInfo,
    DependencyCycleError,
    EvaluationContext,
    EvaluationError,
    ExpandedResource,
    ParameterValidationError,
    ReferenceRequest,
    ResourceGroupInfo,
    SubscriptionInfo,
    TemplateValidationError,
    UnsupportedTemplateFeatureError,
    deployment_order,
    evaluate,
    evaluate_outputs,
    expand_resources,
    parameter_values_from_file,
)
from iacli_azure.arm.evaluator import deployment_batches
from iacli_azure.arm.functions import unique_string

Outputs = Callable[..., dict[str, Any]]

SUB = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1"


def _ctx(
    template: dict[str, Any], parameters: dict[str, Any] | None = None, **kwargs: Any
) -> EvaluationContext:
    kwargs.setdefault("resource_group", ResourceGroupInfo("rg1", "westeurope"))
    return EvaluationContext.create(template, parameters, **kwargs)


def _storage(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2022-09-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "properties": {},
        **extra,
    }


def _sid(name: str) -> str:
    return f"{RG}/providers/Microsoft.Storage/storageAccounts/{name}"


# ------------------------------------------------------------------------------------- parameters

_PARAMS_TEMPLATE: dict[str, Any] = {
    "parameters": {
        "name": {"type": "string", "minLength": 3, "maxLength": 8},
        "sku": {
            "type": "string",
            "defaultValue": "Standard_LRS",
            "allowedValues": ["Standard_LRS", "Premium_LRS"],
        },
        "count": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 5},
        "enabled": {"type": "bool", "defaultValue": True},
        "tags": {"type": "object", "defaultValue": {}},
        "zones": {"type": "array", "defaultValue": ["1"], "allowedValues": ["1", "2", "3"], "maxLength": 2},
        "password": {"type": "securestring", "defaultValue": ""},
        "secrets": {"type": "secureObject", "defaultValue": {}},
    },
    "resources": [],
}


def test_parameter_defaults_are_applied() -> None:
    ctx = _ctx(_PARAMS_TEMPLATE, {"name": "demo"})
    assert ctx.parameters == {
        "name": "demo",
        "sku": "Standard_LRS",
        "count": 2,
        "enabled": True,
        "tags": {},
        "zones": ["1"],
        "password": "",
        "secrets": {},
    }


def test_parameter_values_are_coerced_from_strings() -> None:
    ctx = _ctx(_PARAMS_TEMPLATE, {"name": "demo", "count": "3", "enabled": "false"})
    assert (ctx.parameter("count"), ctx.parameter("enabled")) == (3, False)


def test_provided_parameter_names_ignore_case() -> None:
    assert _ctx(_PARAMS_TEMPLATE, {"NAME": "demo"}).parameter("Name") == "demo"


def test_missing_parameters_are_all_reported() -> None:
    template = {
        "parameters": {
            "a": {"type": "string"},
            "b": {"type": "int"},
            "c": {"type": "int", "defaultValue": 1},
        },
        "resources": [],
    }
    with pytest.raises(ParameterValidationError, match="'a', 'b' is not provided"):
        _ctx(template)


def test_unknown_parameters_are_rejected() -> None:
    with pytest.raises(ParameterValidationError, match="do not correspond.*'nope'"):
        _ctx(_PARAMS_TEMPLATE, {"name": "demo", "nope": 1})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": 42}, "expected a value of type 'string'"),
        ({"name": "demo", "count": "three"}, "expected a value of type 'int'"),
        ({"name": "demo", "enabled": "yes"}, "expected a value of type 'bool'"),
        ({"name": "demo", "tags": []}, "expected a value of type 'object'"),
        ({"name": "demo", "zones": "1"}, "expected a value of type 'array'"),
        ({"name": "demo", "sku": "Basic"}, "not part of the allowed value"),
        ({"name": "demo", "zones": ["1", "4"]}, "not part of the allowed value"),
        ({"name": "demo", "zones": ["1", "2", "3"]}, "maxLength"),
        ({"name": "demo", "count": 0}, "minValue"),
        ({"name": "demo", "count": 6}, "maxValue"),
        ({"name": "ab"}, "minLength"),
        ({"name": "abcdefghi"}, "maxLength"),
    ],
)
def test_parameter_validation_errors(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterValidationError, match=message):
        _ctx(_PARAMS_TEMPLATE, values)


def test_allowed_values_compare_strings_ignoring_case() -> None:
    assert _ctx(_PARAMS_TEMPLATE, {"name": "demo", "sku": "premium_lrs"}).parameter("sku") == "premium_lrs"


def test_default_values_are_validated_and_may_use_other_parameters() -> None:
    template: dict[str, Any] = {
        "parameters": {
            "prefix": {"type": "string", "defaultValue": "st"},
            "name": {
                "type": "string",
                "defaultValue": "[concat(parameters('prefix'), uniqueString(resourceGroup().id))]",
            },
            "bad": {"type": "int", "defaultValue": "[parameters('prefix')]"},
        },
        "resources": [],
    }
    with pytest.raises(ParameterValidationError, match="'bad'"):
        _ctx(template)
    del template["parameters"]["bad"]
    assert _ctx(template).parameter("name") == "st" + unique_string(RG)


def test_circular_parameter_defaults() -> None:
    template = {
        "parameters": {
            "a": {"type": "string", "defaultValue": "[parameters('b')]"},
            "b": {"type": "string", "defaultValue": "[parameters('a')]"},
        },
        "resources": [],
    }
    with pytest.raises(DependencyCycleError, match="a -> b -> a"):
        _ctx(template)


def test_invalid_parameter_type_in_template() -> None:
    with pytest.raises(TemplateValidationError, match="invalid type 'float'"):
        _ctx({"parameters": {"x": {"type": "float", "defaultValue": 1}}, "resources": []})


def test_parameter_values_from_file() -> None:
    document = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"value": "demo"}, "count": {"value": 4}},
    }
    assert parameter_values_from_file(document) == {"name": "demo", "count": 4}
    assert parameter_values_from_file({"name": {"value": "x"}}) == {"name": "x"}
    with pytest.raises(UnsupportedTemplateFeatureError, match="Key Vault"):
        parameter_values_from_file(
            {"parameters": {"pw": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}}
        )


# -------------------------------------------------------------------------------------- variables


def test_variables_reference_variables_lazily(arm_outputs: Outputs) -> None:
    template = {
        "parameters": {"env": {"type": "string", "defaultValue": "dev"}},
        "variables": {
            "full": "[concat(variables('prefix'), '-', parameters('env'))]",
            "prefix": "[toUpper(variables('base'))]",
            "base": "app",
            "unused": "[parameters('doesNotExist')]",
        },
        "resources": [],
        "outputs": {"full": {"type": "string", "value": "[variables('full')]"}},
    }
    assert arm_outputs(template) == {"full": "APP-dev"}


def test_circular_variables_are_reported() -> None:
    template = {"variables": {"a": "[variables('b')]", "b": "[concat(variables('a'), 'x')]"}, "resources": []}
    with pytest.raises(DependencyCycleError, match="a -> b -> a"):
        evaluate("[variables('a')]", _ctx(template))


def test_unknown_variable() -> None:
    with pytest.raises(EvaluationError, match="variable 'nope' is not defined"):
        evaluate("[variables('nope')]", _ctx({"variables": {"x": 1}, "resources": []}))


# https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-variables
def test_copy_variables_doc_examples(arm_outputs: Outputs) -> None:
    disk = {
        "name": "[concat('myDataDisk', copyIndex('{loop}', 1))]",
        "diskSizeGB": "1",
        "diskIndex": "[copyIndex('{loop}')]",
    }

    def disk_input(loop: str) -> dict[str, str]:
        return {key: value.replace("{loop}", loop) for key, value in disk.items()}

    template = {
        "parameters": {"itemCount": {"type": "int", "defaultValue": 5}},
        "variables": {
            "topLevelObject": {
                "sampleProperty": "sampleValue",
                "copy": [
                    {"name": "disks", "count": "[parameters('itemCount')]", "input": disk_input("disks")}
                ],
            },
            "disk-array-on-object": {
                "copy": [
                    {"name": "disks", "count": 5, "input": disk_input("disks")},
                    {
                        "name": "diskNames",
                        "count": 5,
                        "input": "[concat('myDataDisk', copyIndex('diskNames', 1))]",
                    },
                ]
            },
            "copy": [
                {
                    "name": "stringArray",
                    "count": "[parameters('itemCount')]",
                    "input": "[concat('item', copyIndex('stringArray', 1))]",
                },
                {
                    "name": "objectArray",
                    "count": "[parameters('itemCount')]",
                    "input": disk_input("objectArray"),
                },
                {
                    "name": "top-level-integer-array",
                    "count": 5,
                    "input": "[copyIndex('top-level-integer-array')]",
                },
            ],
        },
        "resources": [],
        "outputs": {
            "stringArray": {"type": "array", "value": "[variables('stringArray')]"},
            "objectArray": {"type": "array", "value": "[variables('objectArray')]"},
            "objectResult": {"type": "object", "value": "[variables('topLevelObject')]"},
            "exampleArrayOnObject": {"type": "array", "value": "[variables('disk-array-on-object').disks]"},
            "diskNames": {"type": "array", "value": "[variables('disk-array-on-object').diskNames]"},
            "exampleIntegerArray": {"type": "array", "value": "[variables('top-level-integer-array')]"},
        },
    }
    disks = [{"name": f"myDataDisk{i + 1}", "diskSizeGB": "1", "diskIndex": i} for i in range(5)]
    assert arm_outputs(template) == {
        "stringArray": ["item1", "item2", "item3", "item4", "item5"],
        "objectArray": disks,
        "objectResult": {"sampleProperty": "sampleValue", "disks": disks},
        "exampleArrayOnObject": disks,
        "diskNames": [f"myDataDisk{i}" for i in range(1, 6)],
        "exampleIntegerArray": [0, 1, 2, 3, 4],
    }


# ------------------------------------------------------------------------------------- resources


def test_resource_fields_are_evaluated_and_properties_are_lazy() -> None:
    template = {
        "parameters": {"name": {"type": "string", "defaultValue": "stdemo"}},
        "resources": [
            _storage(
                "[parameters('name')]",
                tags={"owner": "[parameters('name')]"},
                properties={"never": "[reference('somewhere').x]"},
            )
        ],
    }
    (resource,) = expand_resources(template, _ctx(template))
    assert (resource.resource_id, resource.name, resource.type, resource.api_version, resource.location) == (
        _sid("stdemo"),
        "stdemo",
        "Microsoft.Storage/storageAccounts",
        "2022-09-01",
        "westeurope",
    )
    assert resource.depends_on == () and resource.copy is None
    with pytest.raises(EvaluationError, match="somewhere"):
        resource.evaluate_body()


def test_evaluate_body_returns_the_deployable_resource() -> None:
    template = {
        "resources": [
            _storage(
                "st1",
                tags={"a": "[concat('x', 'y')]"},
                comments="ignored",
                properties={"supportsHttpsTrafficOnly": True, "label": "[[literal]"},
            )
        ]
    }
    (resource,) = expand_resources(template, _ctx(template))
    assert resource.evaluate_body() == {
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2022-09-01",
        "name": "st1",
        "location": "westeurope",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "properties": {"supportsHttpsTrafficOnly": True, "label": "[literal]"},
        "tags": {"a": "xy"},
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-resources
def test_resource_copy_loop() -> None:
    template = {
        "parameters": {"storageCount": {"type": "int", "defaultValue": 3}},
        "resources": [
            _storage(
                "[concat(copyIndex(), 'storage', uniqueString(resourceGroup().id))]",
                copy={"name": "storagecopy", "count": "[parameters('storageCount')]"},
            )
        ],
    }
    resources = expand_resources(template, _ctx(template))
    suffix = unique_string(RG)
    assert [r.name for r in resources] == [f"{i}storage{suffix}" for i in range(3)]
    assert [r.copy for r in resources] == [CopyInfo("storagecopy", i, 3, "Parallel", None) for i in range(3)]
    assert all(r.depends_on == () for r in resources)


def test_copy_with_zero_count_and_invalid_counts() -> None:
    template = {
        "parameters": {"n": {"type": "int"}},
        "resources": [
            _storage("[concat('st', copyIndex())]", copy={"name": "c", "count": "[parameters('n')]"})
        ],
    }
    assert expand_resources(template, _ctx(template, {"n": 0})) == []
    with pytest.raises(TemplateValidationError, match="between 0 and 800"):
        expand_resources(template, _ctx(template, {"n": 801}))
    with pytest.raises(TemplateValidationError, match="must be an integer"):
        expand_resources(
            {"resources": [_storage("x", copy={"name": "c", "count": "3"})]}, _ctx({"resources": []})
        )


# https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-resources#serial-or-parallel
def test_serial_copy_with_batch_size_orders_batches() -> None:
    template = {
        "resources": [
            _storage(
                "[concat('st', copyIndex())]",
                copy={"name": "storagecopy", "count": 4, "mode": "serial", "batchSize": 2},
            )
        ]
    }
    resources = expand_resources(template, _ctx(template))
    assert resources[0].copy == CopyInfo("storagecopy", 0, 4, "Serial", 2)
    assert [r.depends_on for r in resources] == [
        (),
        (),
        (_sid("st0"), _sid("st1")),
        (_sid("st0"), _sid("st1")),
    ]
    assert [[r.name for r in batch] for batch in deployment_batches(resources)] == [
        ["st0", "st1"],
        ["st2", "st3"],
    ]


# https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-properties
def test_property_copy_inside_resource_copy() -> None:
    template = {
        "parameters": {"numberOfDataDisks": {"type": "int", "defaultValue": 3}},
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2022-11-01",
                "name": "[format('myvm{0}', copyIndex(1))]",
                "location": "[resourceGroup().location]",
                "copy": {"name": "vmcopy", "count": 2},
                "properties": {
                    "storageProfile": {
                        "copy": [
                            {
                                "name": "dataDisks",
                                "count": "[parameters('numberOfDataDisks')]",
                                "input": {
                                    "diskSizeGB": 1023,
                                    "lun": "[copyIndex('dataDisks')]",
                                    "createOption": "Empty",
                                    "name": "[format('vm{0}-disk{1}', copyIndex(), copyIndex('dataDisks'))]",
                                },
                            }
                        ],
                        "osDisk": {"createOption": "FromImage"},
                    },
                },
            }
        ],
    }
    second = expand_resources(template, _ctx(template))[1]
    assert second.name == "myvm2"
    assert second.evaluate_properties() == {
        "storageProfile": {
            "dataDisks": [
                {"diskSizeGB": 1023, "lun": i, "createOption": "Empty", "name": f"vm1-disk{i}"}
                for i in range(3)
            ],
            "osDisk": {"createOption": "FromImage"},
        }
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment
def test_conditions_skip_resources_and_drop_dependencies_on_them() -> None:
    template = {
        "parameters": {"newOrExisting": {"type": "string", "defaultValue": "existing"}},
        "resources": [
            _storage("st1", condition="[equals(parameters('newOrExisting'), 'new')]"),
            _storage("st2", dependsOn=["st1"]),
            _storage(
                "[concat('even', copyIndex())]",
                condition="[equals(mod(copyIndex(), 2), 0)]",
                copy={"name": "evens", "count": 4},
            ),
        ],
    }
    resources = expand_resources(template, _ctx(template))
    assert [r.name for r in resources] == ["st2", "even0", "even2"]
    assert resources[0].depends_on == ()
    resources = expand_resources(template, _ctx(template, {"newOrExisting": "new"}))
    assert [r.name for r in resources][:2] == ["st1", "st2"] and resources[1].depends_on == (_sid("st1"),)


def test_condition_must_be_boolean() -> None:
    template = {"resources": [_storage("st1", condition="yes")]}
    with pytest.raises(TemplateValidationError, match="condition of resource 'st1' must be a boolean"):
        expand_resources(template, _ctx(template))


# https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-dependency
def test_depends_on_forms_are_normalised_to_resource_ids() -> None:
    vnet = {
        "type": "Microsoft.Network/virtualNetworks",
        "apiVersion": "2022-07-01",
        "name": "vnet1",
        "location": "westeurope",
        "properties": {},
    }
    template = {
        "resources": [
            _storage("[concat('st', copyIndex())]", copy={"name": "storageLoop", "count": 2}),
            vnet,
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": "2022-07-01",
                "name": "nic1",
                "location": "westeurope",
                "properties": {},
                "dependsOn": [
                    "[resourceId('Microsoft.Network/virtualNetworks/', 'vnet1')]",  # id (note the doc's trailing slash)
                    "storageLoop",  # copy loop name: every instance
                    "Microsoft.Network/virtualNetworks/vnet1",  # type/name
                    "VNET1",  # name, any case
                ],
            },
        ]
    }
    nic = expand_resources(template, _ctx(template))[-1]
    vnet_id = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet1"
    assert nic.depends_on == (vnet_id, _sid("st0"), _sid("st1"))


def test_unknown_dependency_is_an_error() -> None:
    template = {"resources": [_storage("st1", dependsOn=["missing"])]}
    with pytest.raises(TemplateValidationError, match="'missing' is not defined in the template"):
        expand_resources(template, _ctx(template))


def test_deployment_order_is_topological_and_stable() -> None:
    template = {
        "resources": [
            _storage("c", dependsOn=["b"]),
            _storage("a"),
            _storage("b", dependsOn=["a"]),
            _storage("d"),
        ]
    }
    order = deployment_order(expand_resources(template, _ctx(template)))
    assert [r.name for r in order] == ["a", "d", "b", "c"]


def test_dependency_cycle_is_reported() -> None:
    template = {
        "resources": [
            _storage("a", dependsOn=["c"]),
            _storage("b", dependsOn=["a"]),
            _storage("c", dependsOn=["b"]),
            _storage("free"),
        ]
    }
    resources = expand_resources(template, _ctx(template))
    with pytest.raises(DependencyCycleError, match="Circular dependency") as info:
        deployment_order(resources)
    assert set(info.value.cycle) == {_sid("a"), _sid("b"), _sid("c")}
    assert "a -> c -> b -> a" in str(info.value)


def test_reference_to_a_template_resource_adds_an_implicit_dependency() -> None:
    template = {
        "variables": {"storageName": "st1"},
        "resources": [
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2022-03-01",
                "name": "web1",
                "location": "westeurope",
                "properties": {
                    "endpoint": "[reference(variables('storageName')).primaryEndpoints.blob]",
                    "key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st1'), '2022-09-01')"
                    ".keys[0].value]",
                },
            },
            _storage("[variables('storageName')]"),
        ],
    }
    resources = expand_resources(template, _ctx(template))
    assert resources[0].depends_on == (_sid("st1"),)
    assert [r.name for r in deployment_order(resources)] == ["st1", "web1"]


def test_lazy_properties_see_resources_deployed_earlier() -> None:
    """The emulator's loop: deploy in order, evaluate each body once its dependencies exist."""
    template = {
        "resources": [
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2022-03-01",
                "name": "web1",
                "location": "westeurope",
                "dependsOn": ["st1"],
                "properties": {
                    "blob": "[reference('st1').primaryEndpoints.blob]",
                    "id": "[reference('st1', '2022-09-01', 'Full').resourceId]",
                },
            },
            _storage("st1"),
        ],
        "outputs": {"blob": {"type": "string", "value": "[reference('st1').primaryEndpoints.blob]"}},
    }
    deployed: dict[str, dict[str, Any]] = {}

    def resolver(request: ReferenceRequest) -> Any:
        state = deployed[request.resource_id.casefold()]
        return state if request.full else state["properties"]

    ctx = _ctx(template, reference_resolver=resolver)
    for resource in deployment_order(expand_resources(template, ctx)):
        body = resource.evaluate_body()
        if resource.type == "Microsoft.Storage/storageAccounts":
            body["properties"] = {
                "primaryEndpoints": {"blob": f"https://{resource.name}.blob.core.windows.net/"}
            }
            body["resourceId"] = resource.resource_id
        deployed[resource.resource_id.casefold()] = body
    assert deployed[f"{RG}/providers/Microsoft.Web/sites/web1".casefold()]["properties"] == {
        "blob": "https://st1.blob.core.windows.net/",
        "id": _sid("st1"),
    }
    assert evaluate_outputs(template, ctx) == {
        "blob": {"type": "String", "value": "https://st1.blob.core.windows.net/"}
    }


def test_nested_child_resources_are_flattened_and_depend_on_their_parent() -> None:
    template = {
        "resources": [
            {
                "type": "Microsoft.Sql/servers",
                "apiVersion": "2022-05-01-preview",
                "name": "sql1",
                "location": "westeurope",
                "properties": {},
                "resources": [
                    {
                        "type": "databases",
                        "apiVersion": "2022-05-01-preview",
                        "name": "db1",
                        "location": "westeurope",
                        "properties": {},
                    },
                    {
                        "type": "Microsoft.Sql/servers/firewallRules",
                        "apiVersion": "2022-05-01-preview",
                        "name": "sql1/allow",
                        "properties": {},
                    },
                ],
            }
        ]
    }
    server, database, rule = expand_resources(template, _ctx(template))
    assert (database.type, database.name) == ("Microsoft.Sql/servers/databases", "sql1/db1")
    assert database.resource_id == f"{RG}/providers/Microsoft.Sql/servers/sql1/databases/db1"
    assert database.depends_on == rule.depends_on == (server.resource_id,)
    assert rule.resource_id == f"{RG}/providers/Microsoft.Sql/servers/sql1/firewallRules/allow"


def test_name_segments_must_match_the_type() -> None:
    template = {
        "resources": [{"type": "Microsoft.Sql/servers/databases", "apiVersion": "x", "name": "db-only"}]
    }
    with pytest.raises(TemplateValidationError, match="incorrect segment lengths"):
        expand_resources(template, _ctx(template))


def test_duplicate_resources_are_rejected() -> None:
    template = {"resources": [_storage("st1"), _storage("ST1")]}
    with pytest.raises(TemplateValidationError, match="defined multiple times"):
        expand_resources(template, _ctx(template))


def test_extension_resource_with_scope_and_subscription_level_resource_groups() -> None:
    template = {
        "resources": [
            _storage("st1"),
            {
                "type": "Microsoft.Authorization/locks",
                "apiVersion": "2020-05-01",
                "name": "lock1",
                "scope": "[resourceId('Microsoft.Storage/storageAccounts', 'st1')]",
                "dependsOn": ["st1"],
                "properties": {"level": "CanNotDelete"},
            },
        ]
    }
    lock = expand_resources(template, _ctx(template))[1]
    assert lock.resource_id == f"{_sid('st1')}/providers/Microsoft.Authorization/locks/lock1"
    sub_template = {
        "resources": [
            {
                "type": "Microsoft.Resources/resourceGroups",
                "apiVersion": "2022-09-01",
                "name": "newrg",
                "location": "westeurope",
            }
        ]
    }
    (group,) = expand_resources(
        sub_template, _ctx(sub_template, resource_group=None, subscription=SubscriptionInfo("sub-1"))
    )
    assert group.resource_id == "/subscriptions/sub-1/resourceGroups/newrg"


def test_symbolic_names_and_existing_resources() -> None:
    # https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-declaration#use-symbolic-name
    template = {
        "languageVersion": "2.0",
        "resources": {
            "existingVnet": {
                "existing": True,
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2022-07-01",
                "name": "vnet0",
            },
            "myStorage": _storage("[format('storage{0}', 'x')]"),
            "web": {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2022-03-01",
                "name": "web1",
                "dependsOn": ["myStorage", "existingVnet"],
                "properties": {},
            },
        },
    }
    storage, web = expand_resources(template, _ctx(template))
    assert storage.symbolic_name == "myStorage" and web.depends_on == (_sid("storagex"),)


# ------------------------------------------------------------------------------------------ outputs


# https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-outputs
def test_output_copy_with_reference() -> None:
    template = {
        "parameters": {"storageCount": {"type": "int", "defaultValue": 2}},
        "variables": {"baseName": "[concat('storage', uniqueString(resourceGroup().id))]"},
        "resources": [
            _storage(
                "[concat(copyIndex(), variables('baseName'))]",
                copy={"name": "storagecopy", "count": "[parameters('storageCount')]"},
            )
        ],
        "outputs": {
            "storageEndpoints": {
                "type": "array",
                "copy": {
                    "count": "[parameters('storageCount')]",
                    "input": "[reference(concat(copyIndex(), variables('baseName'))).primaryEndpoints.blob]",
                },
            },
            "storageInfo": {
                "type": "array",
                "copy": {
                    "count": "[parameters('storageCount')]",
                    "input": {
                        "id": "[reference(concat(copyIndex(), variables('baseName')), '2019-04-01', 'Full').resourceId]",
                        "status": "[reference(concat(copyIndex(), variables('baseName'))).statusOfPrimary]",
                    },
                },
            },
        },
    }

    def resolver(request: ReferenceRequest) -> Any:
        name = request.resource_id.rsplit("/", 1)[-1]
        properties = {
            "primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"},
            "statusOfPrimary": "available",
        }
        return (
            {"resourceId": f"Microsoft.Storage/storageAccounts/{name}", "properties": properties}
            if request.full
            else properties
        )

    base = "storage" + unique_string(RG)
    assert evaluate_outputs(template, _ctx(template, reference_resolver=resolver)) == {
        "storageEndpoints": {
            "type": "Array",
            "value": [f"https://{i}{base}.blob.core.windows.net/" for i in range(2)],
        },
        "storageInfo": {
            "type": "Array",
            "value": [
                {"id": f"Microsoft.Storage/storageAccounts/{i}{base}", "status": "available"}
                for i in range(2)
            ],
        },
    }


def test_output_condition_and_type_check() -> None:
    template = {
        "parameters": {"show": {"type": "bool", "defaultValue": False}},
        "resources": [],
        "outputs": {
            "hidden": {"condition": "[parameters('show')]", "type": "string", "value": "[reference('x').y]"},
            "shown": {"type": "int", "value": 3},
        },
    }
    assert evaluate_outputs(template, _ctx(template)) == {"shown": {"type": "Int", "value": 3}}
    bad = {"resources": [], "outputs": {"x": {"type": "string", "value": "[createArray()]"}}}
    with pytest.raises(TemplateValidationError, match="expected a value of type 'String'"):
        evaluate_outputs(bad, _ctx(bad))


# ------------------------------------------------------------------------------- nested deployments


def _nested(
    scope: str, template: dict[str, Any], parameters: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "mode": "Incremental",
        "expressionEvaluationOptions": {"scope": scope},
        "template": template,
    }
    if parameters is not None:
        properties["parameters"] = parameters
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "nested",
        "properties": properties,
        **extra,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#expression-evaluation-scope-in-nested-templates
def test_nested_deployment_inner_scope() -> None:
    inner = {
        "parameters": {"exampleVar": {"type": "string"}},
        "variables": {"exampleVar": "from nested template"},
        "resources": [_storage("[concat('st', parameters('exampleVar'))]")],
        "outputs": {"testVar": {"type": "string", "value": "[variables('exampleVar')]"}},
    }
    template = {
        "variables": {"exampleVar": "from parent template"},
        "resources": [
            _nested(
                "inner",
                inner,
                {"exampleVar": {"value": "[variables('exampleVar')]"}},
                resourceGroup="otherrg",
            )
        ],
    }
    (deployment,) = expand_resources(template, _ctx(template))
    assert deployment.is_nested_deployment
    assert (
        deployment.resource_id == f"/subscriptions/{SUB}/resourceGroups/otherrg/providers/"
        "Microsoft.Resources/deployments/nested"
    )
    properties = deployment.evaluate_properties()
    assert isinstance(properties, dict) and properties["template"] == inner  # inner template stays raw
    nested = deployment.nested_deployment()
    assert (nested.scope, nested.parameter_values, nested.resource_group_name) == (
        "inner",
        {"exampleVar": "from parent template"},
        "otherrg",
    )
    inner_ctx = nested.context(deployment.context)
    (storage,) = expand_resources(nested.template, inner_ctx)
    assert (
        storage.resource_id == f"/subscriptions/{SUB}/resourceGroups/otherrg/providers/"
        "Microsoft.Storage/storageAccounts/stfrom parent template"
    )
    assert evaluate_outputs(nested.template, inner_ctx) == {
        "testVar": {"type": "String", "value": "from nested template"}
    }


def test_nested_deployment_outer_scope_uses_parent_variables() -> None:
    inner = {"resources": [_storage("[variables('storageName')]")]}
    template = {"variables": {"storageName": "stouter"}, "resources": [_nested("outer", inner)]}
    (deployment,) = expand_resources(template, _ctx(template))
    nested = deployment.nested_deployment()
    assert nested.scope == "outer"
    (storage,) = expand_resources(nested.template, nested.context(deployment.context))
    assert storage.name == "stouter"


def test_linked_templates_are_unsupported() -> None:
    template = {
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "linked",
                "properties": {"mode": "Incremental", "templateLink": {"uri": "https://x/t.json"}},
            }
        ]
    }
    (deployment,) = expand_resources(template, _ctx(template))
    with pytest.raises(UnsupportedTemplateFeatureError, match="templateLink"):
        deployment.nested_deployment()


def test_expanded_resource_is_frozen() -> None:
    template = {"resources": [_storage("st1")]}
    (resource,) = expand_resources(template, _ctx(template))
    assert isinstance(resource, ExpandedResource)
    with pytest.raises(AttributeError):
        resource.name = "other"  # type: ignore[misc]


def test_nullable_parameters_and_user_defined_types() -> None:
    # languageVersion 2.0: "nullable": true parameters may be omitted (value null)
    template = {
        "languageVersion": "2.0",
        "parameters": {"tag": {"type": "string", "nullable": True}},
        "resources": {},
    }
    assert _ctx(template).parameters == {"tag": None}
    typed = {"parameters": {"cfg": {"$ref": "#/definitions/config"}}, "resources": []}
    with pytest.raises(UnsupportedTemplateFeatureError, match=r"user-defined type"):
        _ctx(typed, {"cfg": {}})


# Azure/azure-quickstart-templates quickstarts/microsoft.web/function-app-create-dynamic/azuredeploy.json
# (abridged: same resources, names, dependsOn and expressions)
_FUNCTION_APP = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "appName": {
            "type": "string",
            "defaultValue": "[format('fnapp{0}', uniqueString(resourceGroup().id))]",
        },
        "storageAccountType": {
            "type": "string",
            "defaultValue": "Standard_LRS",
            "allowedValues": ["Standard_LRS", "Standard_GRS", "Standard_RAGRS"],
        },
        "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        "appInsightsLocation": {"type": "string"},
        "runtime": {"type": "string", "defaultValue": "node", "allowedValues": ["node", "dotnet", "java"]},
    },
    "variables": {
        "functionAppName": "[parameters('appName')]",
        "hostingPlanName": "[parameters('appName')]",
        "applicationInsightsName": "[parameters('appName')]",
        "storageAccountName": "[format('{0}azfunctions', uniqueString(resourceGroup().id))]",
        "functionWorkerRuntime": "[parameters('runtime')]",
    },
    "resources": [
        {
            "type": "Microsoft.Storage/storageAccounts",
            "apiVersion": "2021-08-01",
            "name": "[variables('storageAccountName')]",
            "location": "[parameters('location')]",
            "sku": {"name": "[parameters('storageAccountType')]"},
            "kind": "Storage",
        },
        {
            "type": "Microsoft.Web/serverfarms",
            "apiVersion": "2021-03-01",
            "name": "[variables('hostingPlanName')]",
            "location": "[parameters('location')]",
            "sku": {"name": "Y1", "tier": "Dynamic"},
            "properties": {},
        },
        {
            "type": "Microsoft.Web/sites",
            "apiVersion": "2021-03-01",
            "name": "[variables('functionAppName')]",
            "location": "[parameters('location')]",
            "kind": "functionapp",
            "identity": {"type": "SystemAssigned"},
            "properties": {
                "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', variables('hostingPlanName'))]",
                "siteConfig": {
                    "appSettings": [
                        {
                            "name": "AzureWebJobsStorage",
                            "value": (
                                "[format('DefaultEndpointsProtocol=https;AccountName={0};EndpointSuffix={1};AccountKey={2}', "
                                "variables('storageAccountName'), environment().suffixes.storage, listKeys(resourceId("
                                "'Microsoft.Storage/storageAccounts', variables('storageAccountName')), '2021-08-01')"
                                ".keys[0].value)]"
                            ),
                        },
                        {"name": "WEBSITE_CONTENTSHARE", "value": "[toLower(variables('functionAppName'))]"},
                        {
                            "name": "APPINSIGHTS_INSTRUMENTATIONKEY",
                            "value": (
                                "[reference(resourceId('Microsoft.Insights/components', "
                                "variables('applicationInsightsName'))).InstrumentationKey]"
                            ),
                        },
                        {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "[variables('functionWorkerRuntime')]"},
                    ],
                    "ftpsState": "FtpsOnly",
                    "minTlsVersion": "1.2",
                },
                "httpsOnly": True,
            },
            "dependsOn": [
                "[resourceId('Microsoft.Insights/components', variables('applicationInsightsName'))]",
                "[resourceId('Microsoft.Web/serverfarms', variables('hostingPlanName'))]",
                "[resourceId('Microsoft.Storage/storageAccounts', variables('storageAccountName'))]",
            ],
        },
        {
            "type": "Microsoft.Insights/components",
            "apiVersion": "2020-02-02",
            "name": "[variables('applicationInsightsName')]",
            "location": "[parameters('appInsightsLocation')]",
            "kind": "web",
            "properties": {"Application_Type": "web", "Request_Source": "rest"},
        },
    ],
}


def test_quickstart_function_app_end_to_end() -> None:
    from iacli_azure.arm import placeholder_list_resolver

    deployed: dict[str, Any] = {}

    def reference(request: ReferenceRequest) -> Any:
        return deployed[request.resource_id.casefold()]["properties"]

    ctx = _ctx(
        _FUNCTION_APP,
        {"appInsightsLocation": "westeurope"},
        reference_resolver=reference,
        list_resolver=placeholder_list_resolver,
    )
    order = deployment_order(expand_resources(_FUNCTION_APP, ctx))
    app = "fnapp" + unique_string(RG)
    assert [(r.type, r.name) for r in order] == [
        ("Microsoft.Storage/storageAccounts", unique_string(RG) + "azfunctions"),
        ("Microsoft.Web/serverfarms", app),
        ("Microsoft.Insights/components", app),
        ("Microsoft.Web/sites", app),
    ]
    for resource in order:
        body = resource.evaluate_body()
        if resource.type == "Microsoft.Insights/components":
            properties = body["properties"]
            assert isinstance(properties, dict)
            properties["InstrumentationKey"] = "ikey-1"
        deployed[resource.resource_id.casefold()] = body
    site = deployed[f"{RG}/providers/Microsoft.Web/sites/{app}".casefold()]
    settings = {item["name"]: item["value"] for item in site["properties"]["siteConfig"]["appSettings"]}
    assert settings["APPINSIGHTS_INSTRUMENTATIONKEY"] == "ikey-1"
    assert settings["WEBSITE_CONTENTSHARE"] == app
    assert settings["AzureWebJobsStorage"].startswith(
        f"DefaultEndpointsProtocol=https;AccountName={unique_string(RG)}azfunctions;EndpointSuffix=core.windows.net;"
        "AccountKey="
    )
    assert site["identity"] == {"type": "SystemAssigned"} and site["kind"] == "functionapp"


def test_reference_by_an_ambiguous_name_is_an_error() -> None:
    ctx = _ctx(_FUNCTION_APP, {"appInsightsLocation": "westeurope"}, reference_resolver=lambda request: {})
    template = dict(
        _FUNCTION_APP, outputs={"x": {"type": "object", "value": "[reference(parameters('appName'))]"}}
    )
    with pytest.raises(EvaluationError, match="used by several resources"):
        evaluate_outputs(template, ctx)
