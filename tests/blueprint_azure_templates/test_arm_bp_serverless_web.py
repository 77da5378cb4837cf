"""serverless-web on Azure: the ARM template rendered by iacli's renderer, deployed in the ARM emulator.

Promises: every example deploys (Succeeded) with the blueprint's neutral outputs (``user_pool_*`` only with
auth); the function's code is the ``asset("src")`` placeholder in WEBSITE_RUN_FROM_PACKAGE (swapped for a
URL here, as the provider will); HTTPS only everywhere; access is identity-based (no keys, no connection
strings, local auth off) with exactly the least-privilege role assignments; a parameter change is a what-if
Modify with a delta; only functions the evaluator supports are used.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_arm_bp_support import (
    GROUP,
    PACKAGE_URL,
    Arm,
    example,
    example_files,
    expected_outputs,
    flatten,
    one,
    outputs,
    render,
    resources_of,
    unsupported_functions,
)

from iacli.errors import TemplateError

BP = "serverless-web"
SITE = "Microsoft.Web/sites"
ROLES = {
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Microsoft.Storage/storageAccounts', variables('siteStorageName')",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Microsoft.Storage/storageAccounts', variables('hostStorageName')",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Microsoft.Insights/components', variables('insightsName')",
}

UPLOADER = "[parameters('packageUploaderPrincipalId')]"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
DEPLOYER = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def settings(template: dict[str, Any]) -> dict[str, Any]:
    return {s["name"]: s["value"] for s in one(template, SITE)["properties"]["siteConfig"]["appSettings"]}


@pytest.mark.parametrize("path", example_files(BP), ids=lambda p: p.stem)
def test_every_example_deploys_with_the_neutral_outputs(path: Any) -> None:
    params = example(path)
    rendered = render(BP, **params)
    assert unsupported_functions(rendered.template) == []
    result = Arm().deploy(rendered.template)
    assert result.properties.provisioning_state == "Succeeded"
    out = outputs(result)
    assert set(out) == expected_outputs(BP, params)
    stage = params.get("stage", "dev")
    assert out["apiUrl"].startswith("https://") and out["apiUrl"].endswith(f".azurewebsites.net/{stage}")
    assert out["siteUrl"].startswith("https://") and out["siteUrl"].endswith(".azurefd.net")
    assert out["tableName"] == "items"
    assert out["functionName"].startswith(f"{params.get('app_name', 'webapp')}-{stage}-items-")
    assert "/afdEndpoints/" in out["distributionId"]
    if params.get("auth"):
        assert re.fullmatch(r"[0-9a-f-]{36}", out["userPoolId"])  # the subscription's Entra tenant


def test_code_is_the_src_asset_as_run_from_package() -> None:
    rendered = render(BP)
    [asset] = rendered.raw.assets.values()
    assert settings(rendered.template)["WEBSITE_RUN_FROM_PACKAGE"] == PACKAGE_URL.format(sha=asset.sha256)
    assert settings(rendered.raw.body)["WEBSITE_RUN_FROM_PACKAGE"] == asset.placeholder
    assert (
        settings(rendered.template)["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]
        == "[variables('identityId')]"
    )


def test_https_only_everywhere() -> None:
    template = render(BP).template
    site = one(template, SITE)["properties"]
    assert site["httpsOnly"] is True and site["siteConfig"]["minTlsVersion"] == "1.2"
    assert site["siteConfig"]["ftpsState"] == "Disabled"
    for account in resources_of(template, "Microsoft.Storage/storageAccounts"):
        assert account["properties"]["supportsHttpsTrafficOnly"] is True
        assert account["properties"]["minimumTlsVersion"] == "TLS1_2"
    route = one(template, "Microsoft.Cdn/profiles/afdEndpoints/routes")["properties"]
    assert (route["httpsRedirect"], route["forwardingProtocol"]) == ("Enabled", "HttpsOnly")
    assert (
        one(template, "Microsoft.DocumentDB/databaseAccounts")["properties"]["minimalTlsVersion"] == "Tls12"
    )
    origin = one(template, "Microsoft.Cdn/profiles/originGroups/origins")["properties"]
    assert origin["enforceCertificateNameCheck"] is True


def test_access_is_identity_based_with_least_privilege() -> None:
    rendered = render(BP)
    template = rendered.template
    assert "listKeys" not in rendered.text and "AccountKey" not in rendered.text
    assert "AzureWebJobsStorage" not in settings(template)  # no connection string, only __accountName etc.
    assert settings(template)["AzureWebJobsStorage__credential"] == "managedidentity"
    for account in resources_of(template, "Microsoft.Storage/storageAccounts"):
        assert account["properties"]["allowSharedKeyAccess"] is False
        assert account["properties"]["allowBlobPublicAccess"] is False
    cosmos = one(template, "Microsoft.DocumentDB/databaseAccounts")["properties"]
    assert cosmos["disableLocalAuth"] is True
    assert cosmos["capabilities"] == [{"name": "EnableServerless"}]
    assert one(template, "Microsoft.Insights/components")["properties"]["DisableLocalAuth"] is True
    data_role = one(template, "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")["properties"]
    assert data_role["roleDefinitionId"].endswith("'00000000-0000-0000-0000-000000000002')]")
    assert (
        data_role["scope"] == "[resourceId('Microsoft.DocumentDB/databaseAccounts', variables('cosmosName'))]"
    )
    assignments = resources_of(template, "Microsoft.Authorization/roleAssignments")
    granted = {}
    for assignment in [a for a in assignments if a["properties"]["principalId"] != UPLOADER]:
        role = assignment["properties"]["roleDefinitionId"].split("'")[-2]
        granted[role] = assignment["scope"]
        assert assignment["properties"]["principalType"] == "ServicePrincipal"
    assert granted == {role: f"[resourceId('{scope})]" for role, scope in ROLES.items()}
    site = one(template, SITE)
    assert site["identity"]["type"] == "UserAssigned"
    # deployed: the assignments exist, scoped to the resources, for the identity's principal
    arm = Arm()
    arm.deploy(template)
    identity = next(r.id for r in arm.resources() if r.type.endswith("/userAssignedIdentities"))
    principal = arm.resource(identity, "2023-01-31").properties["principalId"]
    operations = arm.clients.deployments.deployment_operations.list(GROUP, "main")
    created = [o.properties.target_resource.id for o in operations if o.properties.target_resource]
    role_ids = [i for i in created if "/providers/Microsoft.Authorization/roleAssignments/" in i]
    assert sorted(
        i.split("/providers/Microsoft.Authorization/")[0].rsplit("/", 1)[0].rsplit("/", 1)[1]
        for i in role_ids
    ) == ["components", "storageAccounts", "storageAccounts"]
    for role_id in role_ids:
        assert arm.resource(role_id, "2022-04-01").properties["principalId"] == principal


def test_the_deploying_principal_may_upload_packages_and_nothing_else() -> None:
    template = render(BP).template
    assert template["metadata"]["iacliAssets"] == {
        "storageAccount": "[variables('siteStorageName')]",
        "container": "packages",
        "uploaderPrincipalParameter": "packageUploaderPrincipalId",
    }
    assert template["parameters"]["packageUploaderPrincipalId"]["defaultValue"] == ""
    [grant] = [a for a in resources_of(template, "Microsoft.Authorization/roleAssignments")
               if a["properties"]["principalId"] == UPLOADER]
    assert grant["properties"]["roleDefinitionId"].endswith(f"'{BLOB_DATA_CONTRIBUTOR}')]")
    assert grant["scope"] == "[variables('packagesId')]"
    assert template["variables"]["packagesId"].startswith(
        "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', variables('siteStorageName')")

    arm = Arm()
    arm.deploy(template, {"packageUploaderPrincipalId": DEPLOYER})
    mine = [r for r in _role_assignments(arm) if r.properties["principalId"] == DEPLOYER]
    assert len(mine) == 1
    scope = mine[0].id.split("/providers/Microsoft.Authorization/")[0]
    assert scope.endswith("/blobServices/default/containers/packages")
    assert mine[0].properties["roleDefinitionId"].endswith(BLOB_DATA_CONTRIBUTOR)

    unfilled = Arm()  # deployed without iacli (no principal): the grant is skipped, not refused
    unfilled.deploy(template)
    assert all(r.properties["principalId"] != "" for r in _role_assignments(unfilled))
    assert len(_role_assignments(unfilled)) == 3


def _role_assignments(arm: Arm) -> list[Any]:
    operations = arm.clients.deployments.deployment_operations.list(GROUP, "main")
    ids = [o.properties.target_resource.id for o in operations if o.properties.target_resource]
    return [arm.resource(i, "2022-04-01") for i in ids if "/providers/Microsoft.Authorization/roleAssignments/" in i]


def test_cosmos_serverless_database_and_items_container() -> None:
    template = render(BP, app_name="shop").template
    container = one(template, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")["properties"]
    assert container["resource"]["id"] == "[variables('containerName')]"
    assert container["resource"]["partitionKey"] == {"paths": ["/id"], "kind": "Hash"}
    assert (
        template["variables"]["containerName"] == "items" and template["variables"]["databaseName"] == "shop"
    )


def test_auth_turns_on_app_service_authentication() -> None:
    assert not resources_of(render(BP).template, "Microsoft.Web/sites/config")
    closed = render(BP, auth=True).template
    config = one(closed, "Microsoft.Web/sites/config")
    assert config["name"] == "[format('{0}/authsettingsV2', variables('functionName'))]"
    validation = config["properties"]["globalValidation"]
    assert validation == {"requireAuthentication": True, "unauthenticatedClientAction": "Return401"}
    assert config["properties"]["identityProviders"]["azureActiveDirectory"]["enabled"] is False
    client = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    opened = render(BP, auth=True, auth_client_id=client)
    entra = one(opened.template, "Microsoft.Web/sites/config")["properties"]["identityProviders"][
        "azureActiveDirectory"
    ]
    assert entra["enabled"] is True and opened.template["variables"]["authClientId"] == client
    out = outputs(Arm().deploy(opened.template))
    assert out["userPoolClientId"] == client and out["userPoolId"]


def test_timeout_and_tracing_change_is_a_modify_with_a_delta() -> None:
    arm = Arm()
    arm.deploy(render(BP).template)
    changes = arm.what_if(render(BP, timeout_s=30, tracing=True).template)
    modified = [c for c in changes if c.change_type == "Modify"]
    assert [c.resource_id.rsplit("/", 2)[-2] for c in modified] == ["sites"]
    delta = flatten(modified[0].delta)
    timeout = next(k for k, v in delta.items() if v.before == "00:00:10")
    assert delta[timeout].after == "00:00:30"
    assert any(v.before == "false" and v.after == "true" for v in delta.values())
    assert all(c.change_type in ("NoChange", "Modify") for c in changes)


def test_retention_and_limits() -> None:
    template = render(BP, log_retention_days=365, retain_data=True).template
    assert one(template, "Microsoft.OperationalInsights/workspaces")["properties"]["retentionInDays"] == 365
    assert template["variables"]["dataTags"]["iacli:retain"] == "true"
    assert (
        settings(render(BP, timeout_s=600).template)["AzureFunctionsJobHost__functionTimeout"] == "00:10:00"
    )
    with pytest.raises(TemplateError, match="600 s"):
        render(BP, timeout_s=601)
