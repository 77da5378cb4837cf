"""Deployment, scope, resource, date and lambda functions, tested with Microsoft's documentation examples."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from iacli_azure.arm import (
    DeploymentInfo,
    EvaluationContext,
    EvaluationError,
    FunctionArgumentError,
    ListRequest,
    ReferenceRequest,
    ResourceGroupInfo,
    SubscriptionInfo,
    TenantInfo,
    UnsupportedFunctionError,
    evaluate,
    evaluate_outputs,
)

Outputs = Callable[..., dict[str, Any]]
Eval = Callable[..., Any]

SUB = "11111111-2222-3333-4444-555555555555"
TENANT = "99999999-8888-7777-6666-555555555555"


def _template(
    outputs: dict[str, Any],
    parameters: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    resources: list[Any] | None = None,
) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "variables": variables or {},
        "resources": resources or [],
        "outputs": outputs,
    }


def _scope(**extra: Any) -> dict[str, Any]:
    return {
        "resource_group": ResourceGroupInfo("examplegroup", "southcentralus", tags={"env": "test"}),
        "subscription": SubscriptionInfo(SUB, TENANT, "Example subscription"),
        **extra,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#parameters
def test_parameters(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "stringParameter": {"type": "string", "defaultValue": "option 1"},
            "intParameter": {"type": "int", "defaultValue": 1},
            "objectParameter": {"type": "object", "defaultValue": {"one": "a", "two": "b"}},
            "arrayParameter": {"type": "array", "defaultValue": [1, 2, 3]},
            "crossParameter": {"type": "string", "defaultValue": "[parameters('stringParameter')]"},
        },
        outputs={
            "stringOutput": {"value": "[parameters('stringParameter')]", "type": "string"},
            "intOutput": {"value": "[parameters('intParameter')]", "type": "int"},
            "objectOutput": {"value": "[parameters('objectParameter')]", "type": "object"},
            "arrayOutput": {"value": "[parameters('arrayParameter')]", "type": "array"},
            "crossOutput": {"value": "[parameters('crossParameter')]", "type": "string"},
        },
    )
    assert arm_outputs(template) == {
        "stringOutput": "option 1",
        "intOutput": 1,
        "objectOutput": {"one": "a", "two": "b"},
        "arrayOutput": [1, 2, 3],
        "crossOutput": "option 1",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#variables
def test_variables(arm_outputs: Outputs) -> None:
    template = _template(
        variables={
            "var1": "myVariable",
            "var2": [1, 2, 3, 4],
            "var3": "[ variables('var1') ]",
            "var4": {"property1": "value1", "property2": "value2"},
        },
        outputs={
            "exampleOutput1": {"type": "string", "value": "[variables('var1')]"},
            "exampleOutput2": {"type": "array", "value": "[variables('var2')]"},
            "exampleOutput3": {"type": "string", "value": "[variables('var3')]"},
            "exampleOutput4": {"type": "object", "value": "[variables('var4')]"},
        },
    )
    assert arm_outputs(template) == {
        "exampleOutput1": "myVariable",
        "exampleOutput2": [1, 2, 3, 4],
        "exampleOutput3": "myVariable",
        "exampleOutput4": {"property1": "value1", "property2": "value2"},
    }


def test_parameter_and_variable_lookup_ignores_case(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"StorageName": {"type": "string", "defaultValue": "demo"}},
        variables={"FullName": "[concat(parameters('storagename'), '-x')]"},
        outputs={"out": {"type": "string", "value": "[variables('fullname')]"}},
    )
    assert arm_outputs(template) == {"out": "demo-x"}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#deployment
def test_deployment(arm_outputs: Outputs) -> None:
    template = _template(outputs={"deploymentOutput": {"type": "object", "value": "[deployment()]"}})
    value = arm_outputs(template, deployment=DeploymentInfo(name="deployment"))["deploymentOutput"]
    assert value["name"] == "deployment"
    properties = value["properties"]
    assert properties["template"]["outputs"] == template["outputs"]
    assert properties["mode"] == "Incremental"
    assert properties["provisioningState"] == "Accepted"
    assert properties["parameters"] == {}
    assert properties["templateHash"].isdigit()
    assert "templateLink" not in properties


def test_deployment_template_link_enables_relative_uri(arm_eval: Eval) -> None:
    info = DeploymentInfo(name="d", template_link_uri="https://example.com/templates/main.json")
    # https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#remarks
    assert arm_eval(
        "[uri(deployment().properties.templateLink.uri, 'shared-resources.json')]", deployment=info
    ) == ("https://example.com/templates/shared-resources.json")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#environment
def test_environment(arm_eval: Eval) -> None:
    env = arm_eval("[environment()]")
    assert env["name"] == "AzureCloud"
    assert env["resourceManager"] == "https://management.azure.com/"
    assert env["authentication"]["loginEndpoint"] == "https://login.microsoftonline.com/"
    assert env["suffixes"]["storage"] == "core.windows.net"
    assert arm_eval("[environment().suffixes.keyvaultDns]") == ".vault.azure.net"


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#resourcegroup
def test_resource_group(arm_eval: Eval) -> None:
    assert arm_eval("[resourceGroup()]", **_scope()) == {
        "id": f"/subscriptions/{SUB}/resourceGroups/examplegroup",
        "name": "examplegroup",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "southcentralus",
        "tags": {"env": "test"},
        "properties": {"provisioningState": "Succeeded"},
    }


def test_resource_group_location_as_parameter_default(arm_outputs: Outputs) -> None:
    # template-functions-scope#remarks: "defaultValue": "[resourceGroup().location]"
    template = _template(
        parameters={"location": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
        outputs={"location": {"type": "string", "value": "[parameters('location')]"}},
    )
    assert arm_outputs(template, **_scope()) == {"location": "southcentralus"}


def test_resource_group_unavailable_at_subscription_scope(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="subscription-level"):
        arm_eval("[resourceGroup().id]", resource_group=None)


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#subscription
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#tenant
def test_subscription_and_tenant(arm_eval: Eval) -> None:
    assert arm_eval("[subscription()]", **_scope()) == {
        "id": f"/subscriptions/{SUB}",
        "subscriptionId": SUB,
        "tenantId": TENANT,
        "displayName": "Example subscription",
    }
    tenant = TenantInfo(tenant_id="00000000-0000-0000-0000-000000000000", display_name="Contoso")
    assert arm_eval("[tenant()]", tenant=tenant) == {
        "countryCode": "US",
        "displayName": "Contoso",
        "id": "/tenants/00000000-0000-0000-0000-000000000000",
        "tenantId": "00000000-0000-0000-0000-000000000000",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#managementgroup
def test_management_group_is_unsupported(arm_eval: Eval) -> None:
    with pytest.raises(UnsupportedFunctionError) as info:
        arm_eval("[managementGroup()]")
    assert info.value.function_name == "managementGroup"


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid
def test_resource_id(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "sameRGOutput": {
                "type": "string",
                "value": "[resourceId('Microsoft.Storage/storageAccounts','examplestorage')]",
            },
            "differentRGOutput": {
                "type": "string",
                "value": (
                    "[resourceId('otherResourceGroup', 'Microsoft.Storage/storageAccounts','examplestorage')]"
                ),
            },
            "differentSubOutput": {
                "type": "string",
                "value": (
                    "[resourceId('11111111-1111-1111-1111-111111111111', 'otherResourceGroup', "
                    "'Microsoft.Storage/storageAccounts','examplestorage')]"
                ),
            },
            "nestedResourceOutput": {
                "type": "string",
                "value": "[resourceId('Microsoft.SQL/servers/databases', 'serverName', 'databaseName')]",
            },
        }
    )
    assert arm_outputs(template, **_scope()) == {
        "sameRGOutput": f"/subscriptions/{SUB}/resourceGroups/examplegroup/providers/"
        "Microsoft.Storage/storageAccounts/examplestorage",
        "differentRGOutput": f"/subscriptions/{SUB}/resourceGroups/otherResourceGroup/providers/"
        "Microsoft.Storage/storageAccounts/examplestorage",
        "differentSubOutput": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/otherResourceGroup/"
        "providers/Microsoft.Storage/storageAccounts/examplestorage",
        "nestedResourceOutput": f"/subscriptions/{SUB}/resourceGroups/examplegroup/providers/"
        "Microsoft.SQL/servers/serverName/databases/databaseName",
    }


def test_resource_id_segment_count_mismatch(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="needs 2 resource name segment"):
        arm_eval("[resourceId('Microsoft.Sql/servers/databases', 'server')]")


def test_resource_id_at_subscription_scope(arm_eval: Eval) -> None:
    assert arm_eval(
        "[resourceId('Microsoft.Authorization/roleDefinitions', 'r1')]",
        resource_group=None,
        subscription=SubscriptionInfo(SUB),
    ) == (f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/r1")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#subscriptionresourceid
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#tenantresourceid
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#extensionresourceid
def test_other_resource_id_functions(arm_eval: Eval) -> None:
    role = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    assert arm_eval(
        f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]", **_scope()
    ) == (f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}")
    assert arm_eval("[subscriptionResourceId('other-sub', 'Microsoft.Resources/resourceGroups', 'rg')]") == (
        "/subscriptions/other-sub/providers/Microsoft.Resources/resourceGroups/rg"
    )
    assert arm_eval("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]") == (
        "/providers/Microsoft.Authorization/policyDefinitions/p1"
    )
    assert arm_eval(
        "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'lock1')]", **_scope()
    ) == (f"/subscriptions/{SUB}/resourceGroups/examplegroup/providers/Microsoft.Authorization/locks/lock1")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#reference
def test_reference_delegates_to_the_resolver_with_full_flag(arm_eval: Eval) -> None:
    requests: list[ReferenceRequest] = []

    def resolver(request: ReferenceRequest) -> Any:
        requests.append(request)
        properties = {"primaryEndpoints": {"blob": "https://examplestorage.blob.core.windows.net/"}}
        return {"properties": properties, "identity": {"principalId": "p-1"}} if request.full else properties

    storage = "[resourceId('Microsoft.Storage/storageAccounts', 'examplestorage')]"
    blob = arm_eval(
        f"[reference({storage[1:-1]}).primaryEndpoints.blob]", reference_resolver=resolver, **_scope()
    )
    principal = arm_eval(
        f"[reference({storage[1:-1]}, '2019-12-01', 'Full').Identity.principalId]",
        reference_resolver=resolver,
        **_scope(),
    )
    assert (blob, principal) == ("https://examplestorage.blob.core.windows.net/", "p-1")
    rid = f"/subscriptions/{SUB}/resourceGroups/examplegroup/providers/Microsoft.Storage/storageAccounts/examplestorage"
    assert [(r.resource_id, r.api_version, r.full) for r in requests] == [
        (rid, None, False),
        (rid, "2019-12-01", True),
    ]


def test_reference_without_resolver_is_an_error(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="no reference resolver"):
        arm_eval("[reference('/subscriptions/x/resourceGroups/y/providers/A.B/c/d')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#list
def test_list_functions_delegate_to_the_list_resolver(arm_eval: Eval) -> None:
    requests: list[ListRequest] = []

    def resolver(request: ListRequest) -> Any:
        requests.append(request)
        if request.function_name == "listKeys":
            return {"keys": [{"keyName": "key1", "permissions": "Full", "value": "placeholder-key"}]}
        return {"accountSasToken": "sas-token"}

    key = arm_eval(
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st1'), '2019-06-01').keys[0].value]",
        list_resolver=resolver,
        **_scope(),
    )
    sas = arm_eval(
        "[listAccountSas(resourceId('Microsoft.Storage/storageAccounts', 'st1'), '2018-02-01', "
        "parameters('accountSasProperties')).accountSasToken]",
        template={
            "parameters": {
                "accountSasProperties": {
                    "type": "object",
                    "defaultValue": {
                        "signedServices": "b",
                        "signedPermission": "r",
                        "signedExpiry": "2020-08-20T11:00:00Z",
                        "signedResourceTypes": "s",
                    },
                }
            },
            "resources": [],
        },
        list_resolver=resolver,
        **_scope(),
    )
    assert (key, sas) == ("placeholder-key", "sas-token")
    assert requests[1].function_name == "listAccountSas"
    assert requests[1].resource_id.endswith("/providers/Microsoft.Storage/storageAccounts/st1")
    assert requests[1].function_values == {
        "signedServices": "b",
        "signedPermission": "r",
        "signedExpiry": "2020-08-20T11:00:00Z",
        "signedResourceTypes": "s",
    }


def test_list_function_needs_api_version(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="listKeys"):
        arm_eval("[listKeys('st1')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#pickzones
def test_pick_zones_reports_no_zone_support(arm_eval: Eval) -> None:
    assert arm_eval("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]") == []


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric#copyindex
def test_copy_index_outside_a_loop_is_an_error(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="only valid inside a copy loop"):
        arm_eval("[copyIndex()]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#utcnow
def test_utcnow_formats_in_parameter_defaults(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "utcValue": {"type": "string", "defaultValue": "[utcNow()]"},
            "utcShortValue": {"type": "string", "defaultValue": "[utcNow('d')]"},
            "utcCustomValue": {"type": "string", "defaultValue": "[utcNow('M d')]"},
        },
        outputs={
            "utcOutput": {"type": "string", "value": "[parameters('utcValue')]"},
            "utcShortOutput": {"type": "string", "value": "[parameters('utcShortValue')]"},
            "utcCustomOutput": {"type": "string", "value": "[parameters('utcCustomValue')]"},
        },
    )
    now = datetime(2019, 3, 5, 17, 53, 18, tzinfo=timezone.utc)
    assert arm_outputs(template, now=now) == {
        "utcOutput": "20190305T175318Z",
        "utcShortOutput": "03/05/2019",
        "utcCustomOutput": "3 5",
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("u", "2019-03-05 17:53:18Z"),
        ("s", "2019-03-05T17:53:18"),
        ("o", "2019-03-05T17:53:18.0000000Z"),
        ("yyyy-MM-dd HH:mm tt", "2019-03-05 17:53 PM"),
        ("ddd, dd MMM yyyy", "Tue, 05 Mar 2019"),
    ],
)
def test_utcnow_dotnet_formats(spec: str, expected: str) -> None:
    template = {
        "parameters": {"t": {"type": "string", "defaultValue": f"[utcNow('{spec}')]"}},
        "resources": [],
    }
    ctx = EvaluationContext.create(template, now=datetime(2019, 3, 5, 17, 53, 18, tzinfo=timezone.utc))
    assert ctx.parameters["t"] == expected


def test_utcnow_outside_parameter_defaults_is_an_error(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="utcNow"):
        arm_eval("[utcNow()]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#datetimeadd
def test_datetimeadd(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"baseTime": {"type": "string", "defaultValue": "[utcNow('u')]"}},
        variables={
            "add3Years": "[dateTimeAdd(parameters('baseTime'), 'P3Y')]",
            "subtract9Days": "[dateTimeAdd(parameters('baseTime'), '-P9D')]",
            "add1Hour": "[dateTimeAdd(parameters('baseTime'), 'PT1H')]",
        },
        outputs={
            "add3Years": {"value": "[variables('add3Years')]", "type": "string"},
            "subtract9Days": {"value": "[variables('subtract9Days')]", "type": "string"},
            "add1Hour": {"value": "[variables('add1Hour')]", "type": "string"},
        },
    )
    # The docs deploy with base time 2020-04-07 14:53:14Z and show 4/7/2023 2:53:14 PM,
    # 3/29/2020 2:53:14 PM and 4/7/2020 3:53:14 PM; the emulator answers in ISO 8601.
    assert arm_outputs(template, now=datetime(2020, 4, 7, 14, 53, 14, tzinfo=timezone.utc)) == {
        "add3Years": "2023-04-07T14:53:14Z",
        "subtract9Days": "2020-03-29T14:53:14Z",
        "add1Hour": "2020-04-07T15:53:14Z",
    }


def test_datetimeadd_with_format_months_and_epoch(arm_eval: Eval) -> None:
    assert arm_eval("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M', 'yyyy-MM-dd')]") == "2020-02-29"
    assert arm_eval("[dateTimeToEpoch('2023-02-15T00:00:00Z')]") == 1676419200
    assert arm_eval("[dateTimeFromEpoch(1676419200)]") == "2023-02-15T00:00:00Z"
    with pytest.raises(EvaluationError, match="duration"):
        arm_eval("[dateTimeAdd('2020-01-31T00:00:00Z', 'three days')]")


_DOGS = [
    {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
    {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
    {"name": "Indy", "age": 2, "interests": ["Butter"]},
    {"name": "Kira", "age": 8, "interests": ["Rubs"]},
]


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#filter
def test_filter(arm_outputs: Outputs) -> None:
    template = _template(
        variables={
            "dogs": _DOGS,
            "copy": [
                {
                    "name": "itemForLoop",
                    "count": "[length(range(0, 10))]",
                    "input": "[range(0, 10)[copyIndex('itemForLoop')]]",
                }
            ],
        },
        outputs={
            "oldDogs": {
                "type": "array",
                "value": "[filter(variables('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))]",
            },
            "filteredLoop": {
                "type": "array",
                "value": "[filter(variables('itemForLoop'), lambda('i', greater(lambdaVariables('i'), 5)))]",
            },
            "isEven": {
                "type": "array",
                "value": "[filter(range(0, 10), lambda('i', equals(0, mod(lambdaVariables('i'), 2))))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "oldDogs": [_DOGS[0], _DOGS[3]],
        "filteredLoop": [6, 7, 8, 9],
        "isEven": [0, 2, 4, 6, 8],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#map
def test_map(arm_outputs: Outputs) -> None:
    template = _template(
        variables={"dogs": _DOGS},
        outputs={
            "dogNames": {
                "type": "array",
                "value": "[map(variables('dogs'), lambda('dog', lambdaVariables('dog').name))]",
            },
            "sayHi": {
                "type": "array",
                "value": "[map(variables('dogs'), lambda('dog', format('Hello {0}!', lambdaVariables('dog').name)))]",
            },
            "mapObject": {
                "type": "array",
                "value": (
                    "[map(range(0, length(variables('dogs'))), lambda('i', createObject('i', lambdaVariables('i'), "
                    "'dog', variables('dogs')[lambdaVariables('i')].name, 'greeting', format('Ahoy, {0}!', "
                    "variables('dogs')[lambdaVariables('i')].name))))]"
                ),
            },
        },
    )
    assert arm_outputs(template) == {
        "dogNames": ["Evie", "Casper", "Indy", "Kira"],
        "sayHi": ["Hello Evie!", "Hello Casper!", "Hello Indy!", "Hello Kira!"],
        "mapObject": [
            {"i": 0, "dog": "Evie", "greeting": "Ahoy, Evie!"},
            {"i": 1, "dog": "Casper", "greeting": "Ahoy, Casper!"},
            {"i": 2, "dog": "Indy", "greeting": "Ahoy, Indy!"},
            {"i": 3, "dog": "Kira", "greeting": "Ahoy, Kira!"},
        ],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#reduce
def test_reduce(arm_outputs: Outputs) -> None:
    add = "lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next')))"
    template = _template(
        variables={
            "dogs": _DOGS,
            "ages": "[map(variables('dogs'), lambda('dog', lambdaVariables('dog').age))]",
        },
        outputs={
            "totalAge": {"type": "int", "value": f"[reduce(variables('ages'), 0, {add})]"},
            "totalAgeAdd1": {"type": "int", "value": f"[reduce(variables('ages'), 1, {add})]"},
            "reduceObjectUnion": {
                "type": "object",
                "value": (
                    "[reduce(createArray(createObject('foo', 123), createObject('bar', 456), createObject('baz', 789)), "
                    "createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]"
                ),
            },
        },
    )
    assert arm_outputs(template) == {
        "totalAge": 18,
        "totalAgeAdd1": 19,
        "reduceObjectUnion": {"foo": 123, "bar": 456, "baz": 789},
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#sort
def test_sort(arm_outputs: Outputs) -> None:
    template = _template(
        variables={"dogs": _DOGS},
        outputs={
            "dogsByAge": {
                "type": "array",
                "value": (
                    "[sort(variables('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, lambdaVariables('b').age)))]"
                ),
            }
        },
    )
    assert arm_outputs(template) == {"dogsByAge": [_DOGS[2], _DOGS[1], _DOGS[0], _DOGS[3]]}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#toobject
def test_to_object(arm_outputs: Outputs) -> None:
    dogs_with_properties = [
        {"name": dog["name"], "properties": {"age": dog["age"], "interests": dog["interests"]}}
        for dog in _DOGS
    ]
    template = _template(
        variables={"dogs": _DOGS, "dogs2": dogs_with_properties},
        outputs={
            "two": {
                "type": "object",
                "value": "[toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name))]",
            },
            "identity": {
                "type": "object",
                "value": (
                    "[toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name), "
                    "lambda('entry', lambdaVariables('entry')))]"
                ),
            },
            "three": {
                "type": "object",
                "value": (
                    "[toObject(variables('dogs2'), lambda('entry', lambdaVariables('entry').name), "
                    "lambda('entry', lambdaVariables('entry').properties))]"
                ),
            },
        },
    )
    result = arm_outputs(template)
    by_name = {dog["name"]: dog for dog in _DOGS}
    assert result["two"] == by_name and result["identity"] == by_name
    assert result["three"] == {
        "Evie": {"age": 5, "interests": ["Ball", "Frisbee"]},
        "Casper": {"age": 3, "interests": ["Other dogs"]},
        "Indy": {"age": 2, "interests": ["Butter"]},
        "Kira": {"age": 8, "interests": ["Rubs"]},
    }


def test_group_by_and_map_values(arm_eval: Eval) -> None:
    assert arm_eval(
        "[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]"
    ) == {"f": ["foo"], "b": ["bar", "baz"]}
    assert arm_eval(
        "[mapValues(createObject('a', 1, 'b', 2), lambda('v', mul(lambdaVariables('v'), 10)))]"
    ) == {"a": 10, "b": 20}


def test_lambda_errors(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="expects a lambda"):
        arm_eval("[map(createArray(1), 'not a lambda')]")
    with pytest.raises(EvaluationError, match="only be used directly"):
        arm_eval("[lambda('x', 1)]")
    with pytest.raises(EvaluationError, match="lambda variable 'y'"):
        arm_eval("[map(createArray(1), lambda('x', lambdaVariables('y')))]")


def test_user_defined_functions() -> None:
    # https://learn.microsoft.com/azure/azure-resource-manager/templates/user-defined-functions
    template = {
        "functions": [
            {
                "namespace": "contoso",
                "members": {
                    "uniqueName": {
                        "parameters": [{"name": "namePrefix", "type": "string"}],
                        "output": {
                            "type": "string",
                            "value": "[concat(toLower(parameters('namePrefix')), uniqueString(resourceGroup().id))]",
                        },
                    }
                },
            }
        ],
        "parameters": {"storageNamePrefix": {"type": "string", "maxLength": 11, "defaultValue": "Stg"}},
        "variables": {"x": "unused"},
        "resources": [],
        "outputs": {
            "name": {"type": "string", "value": "[contoso.uniqueName(parameters('storageNamePrefix'))]"}
        },
    }
    ctx = EvaluationContext.create(template)
    rg_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourceGroup"
    from iacli_azure.arm.functions import unique_string

    assert evaluate_outputs(template, ctx)["name"]["value"] == "stg" + unique_string(rg_id)
    with pytest.raises(EvaluationError, match="variable 'x' is not defined"):
        bad = dict(
            template,
            functions=[
                {
                    "namespace": "c",
                    "members": {
                        "f": {"parameters": [], "output": {"type": "string", "value": "[variables('x')]"}}
                    },
                }
            ],
        )
        evaluate("[c.f()]", EvaluationContext.create(bad))


def test_placeholder_list_resolver_answers_common_list_actions(arm_eval: Eval) -> None:
    from iacli_azure.arm import placeholder_list_resolver

    storage = "resourceId('Microsoft.Storage/storageAccounts', 'st1')"
    key = arm_eval(
        f"[listKeys({storage}, '2022-09-01').keys[0].value]", list_resolver=placeholder_list_resolver
    )
    again = arm_eval(
        f"[listKeys({storage}, '2022-09-01').keys[0].value]", list_resolver=placeholder_list_resolver
    )
    other = arm_eval(
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st2'), '2022-09-01').keys[0].value]",
        list_resolver=placeholder_list_resolver,
    )
    assert key == again != other and len(key) == 44
    rule = (
        "resourceId('Microsoft.ServiceBus/namespaces/authorizationRules', 'ns1', 'RootManageSharedAccessKey')"
    )
    connection = arm_eval(
        f"[listKeys({rule}, '2021-11-01').primaryConnectionString]", list_resolver=placeholder_list_resolver
    )
    assert connection.startswith(
        "Endpoint=sb://ns1.offline.invalid/;SharedAccessKeyName=RootManageSharedAccessKey;"
    )
    assert (
        arm_eval(
            "[listCredentials(resourceId('Microsoft.ContainerRegistry/registries', 'acr1'), '2023-01-01').username]",
            list_resolver=placeholder_list_resolver,
        )
        == "acr1"
    )
