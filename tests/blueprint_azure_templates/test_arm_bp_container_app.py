"""container-app on Azure: the ARM template rendered by iacli's renderer, deployed in the ARM emulator.

Promises: every example deploys (Succeeded) with the blueprint's neutral outputs; secret values reach the
container only as ``secureValue`` fed by ``securestring`` parameters (never in the rendered text, never
returned by the API); the image is pulled with the group's own identity (AcrPull on its own registry,
no admin user); a parameter change is a what-if Modify with a precise delta; only functions the
evaluator supports are used.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_arm_bp_support import (
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

BP = "container-app"
ACI = "Microsoft.ContainerInstance/containerGroups"
ACR_PULL = "7f951dfd-4ed5-4b5c-a7f0-2c8c8b1d5b8d"


def secret_values(template: dict[str, Any]) -> dict[str, str]:
    return {name: f"value-of-{name}-Zq9" for name in template["parameters"]}


def containers(template: dict[str, Any]) -> list[dict[str, Any]]:
    return one(template, ACI)["properties"]["containers"]


@pytest.mark.parametrize("path", example_files(BP), ids=lambda p: p.stem)
def test_every_example_deploys_with_the_neutral_outputs(path: Any) -> None:
    params = example(path)
    rendered = render(BP, **params)
    assert unsupported_functions(rendered.template) == []
    arm = Arm()
    result = arm.deploy(rendered.template, secret_values(rendered.template))
    assert result.properties.provisioning_state == "Succeeded"
    out = outputs(result)
    assert set(out) == expected_outputs(BP, params)
    port = params.get("port", 80)
    assert out["url"].startswith("http://") and ".westeurope.azurecontainer.io" in out["url"]
    assert out["url"].endswith(f":{port}") if port != 80 else out["url"].count(":") == 1
    assert out["serviceName"] == params.get("app_name", "web")
    assert out["repositoryUri"].endswith(".azurecr.io/" + out["serviceName"])
    group = arm.resource(
        f"/subscriptions/{arm.emulator.state.subscription_id}/resourceGroups/rg-bp/providers/{ACI}/{out['clusterName']}",
        "2023-05-01",
    )
    assert group.properties["provisioningState"] == "Succeeded"


def test_secrets_are_secure_values_fed_by_securestring_parameters() -> None:
    params = example(next(p for p in example_files(BP) if p.stem == "with-secrets"))
    rendered = render(BP, **params)
    parameters = rendered.template["parameters"]
    assert set(parameters) == {"secret_API_KEY", "secret_DB_PASSWORD", "secret_DB_USER"}
    assert all(p["type"] == "securestring" and "defaultValue" not in p for p in parameters.values())
    assert parameters["secret_API_KEY"]["metadata"]["iacliSecretReference"] == "orders/api-key"
    env = containers(rendered.template)[0]["properties"]["environmentVariables"]
    secure = {e["name"]: e["secureValue"] for e in env if "secureValue" in e}
    assert secure == {
        name: f"[parameters('secret_{name}')]" for name in ("API_KEY", "DB_PASSWORD", "DB_USER")
    }
    assert {e["name"]: e["value"] for e in env if "value" in e}["GREETING"] == "hello=world"
    values = secret_values(rendered.template)
    arm = Arm()
    result = arm.deploy(rendered.template, values)
    assert result.properties.provisioning_state == "Succeeded"
    # never in the text, never in what the API returns
    group_id = next(r.id for r in arm.resources() if r.type == ACI)
    returned = str(arm.resource(group_id, "2023-05-01").as_dict())
    for value in values.values():
        assert value not in rendered.text
        assert value not in returned


def test_missing_secret_value_fails_the_deployment_not_the_render() -> None:
    rendered = render(BP, secrets=["API_KEY=orders/api-key"])
    with pytest.raises(Exception, match="secret_API_KEY"):
        Arm().deploy(rendered.template, {})


def test_env_var_values_stay_literal_even_when_they_look_like_expressions() -> None:
    rendered = render(BP, env_vars=["TRICK=[concat('a','b')]", "PLAIN=[x"])
    arm = Arm()
    arm.deploy(rendered.template)
    group_id = next(r.id for r in arm.resources() if r.type == ACI)
    env = arm.resource(group_id, "2023-05-01").properties["containers"][0]["properties"][
        "environmentVariables"
    ]
    assert {e["name"]: e["value"] for e in env} == {"TRICK": "[concat('a','b')]", "PLAIN": "[x"}


def test_image_is_pulled_with_the_groups_own_identity() -> None:
    template = render(BP).template
    registry = one(template, "Microsoft.ContainerRegistry/registries")
    assert registry["properties"]["adminUserEnabled"] is False
    assignment = one(template, "Microsoft.Authorization/roleAssignments")
    assert ACR_PULL in assignment["properties"]["roleDefinitionId"]
    assert "Microsoft.ContainerRegistry/registries" in assignment["scope"]
    group = one(template, ACI)
    assert group["identity"]["type"] == "UserAssigned"
    # a public image needs no credentials; an image of this registry is pulled with the identity
    arm = Arm()
    out = outputs(arm.deploy(template))
    assert (
        arm.resource(next(r.id for r in arm.resources() if r.type == ACI), "2023-05-01").properties.get(
            "imageRegistryCredentials", []
        )
        == []
    )
    own = render(BP, image=out["repositoryUri"] + ":v1").template
    arm.deploy(own)
    creds = arm.resource(next(r.id for r in arm.resources() if r.type == ACI), "2023-05-01").properties[
        "imageRegistryCredentials"
    ]
    assert len(creds) == 1 and creds[0]["server"] == out["repositoryUri"].split("/")[0]
    assert creds[0]["identity"].endswith("/userAssignedIdentities/id-container-app-dev-web")


def test_cpu_change_is_a_modify_with_a_delta() -> None:
    arm = Arm()
    arm.deploy(render(BP).template)
    changes = arm.what_if(render(BP, cpu=1, memory=2048).template)
    by_type = {c.resource_id.rsplit("/providers/", 1)[1].split("/")[1]: c for c in changes}
    group = next(c for c in changes if "/containerGroups/" in c.resource_id)
    assert group.change_type == "Modify"
    delta = flatten(group.delta)
    requests = "properties.containers[0].properties.resources.requests"
    assert (delta[f"{requests}.cpu"].before, delta[f"{requests}.cpu"].after) == (0.25, 1)
    assert (delta[f"{requests}.memoryInGB"].before, delta[f"{requests}.memoryInGB"].after) == (0.5, 2.0)
    assert by_type["registries"].change_type == "NoChange"


def test_volume_sidecar_and_restart_policy() -> None:
    rendered = render(
        BP,
        volume_mount_path="/mnt/data",
        volume_quota_gb=20,
        sidecar_image="busybox:1.36",
        restart_policy="OnFailure",
    )
    template = rendered.template
    group = one(template, ACI)["properties"]
    assert group["restartPolicy"] == "OnFailure"
    assert [c["name"] for c in group["containers"]] == ["[variables('appName')]", "sidecar"]
    assert group["volumes"][0]["azureFile"]["storageAccountKey"].startswith("[listKeys(")
    share = one(template, "Microsoft.Storage/storageAccounts/fileServices/shares")
    assert share["properties"]["shareQuota"] == 20
    storage = one(template, "Microsoft.Storage/storageAccounts")["properties"]
    assert storage["supportsHttpsTrafficOnly"] is True and storage["minimumTlsVersion"] == "TLS1_2"
    assert unsupported_functions(template) == []
    arm = Arm()
    assert arm.deploy(template).properties.provisioning_state == "Succeeded"


def test_private_network_uses_a_delegated_subnet_and_no_public_address() -> None:
    template = render(BP, private_network=True, network_cidr="10.9.0.0/24").template
    network = one(template, "Microsoft.Network/virtualNetworks")["properties"]
    assert network["addressSpace"]["addressPrefixes"] == ["10.9.0.0/24"]
    delegation = network["subnets"][0]["properties"]["delegations"][0]["properties"]["serviceName"]
    assert delegation == "Microsoft.ContainerInstance/containerGroups"
    group = one(template, ACI)["properties"]
    assert group["ipAddress"]["type"] == "Private" and "dnsNameLabel" not in group["ipAddress"]
    out = outputs(Arm().deploy(template))
    assert out["url"].startswith("http://10.")


def test_dns_label_and_windows() -> None:
    out = outputs(Arm().deploy(render(BP, dns_label="my-shop").template))
    assert out["url"] == "http://my-shop.westeurope.azurecontainer.io"
    windows = render(BP, os_type="Windows").template
    group = one(windows, ACI)["properties"]
    assert group["osType"] == "Windows" and "readinessProbe" not in group["containers"][0]["properties"]
    assert Arm().deploy(windows).properties.provisioning_state == "Succeeded"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cpu": 8, "memory": 16384}, "more than the 4 vCPU"),
        ({"cpu": 4, "memory": 30720}, "more than the 16 GB"),
        ({"os_type": "Windows", "sidecar_image": "busybox:1"}, "os_type Windows"),
        ({"private_network": True, "dns_label": "abc"}, "dns_label needs a public address"),
        ({"env_vars": ["A=1"], "secrets": ["a=x"]}, "more than once"),
        ({"secrets": ["NOPE"]}, "is not NAME=VALUE"),
    ],
)
def test_azure_limits_are_refused_before_anything_deploys(params: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render(BP, **params)


def test_logs_go_to_the_workspace_with_bounded_retention() -> None:
    template = render(BP, log_retention_days=7).template
    assert one(template, "Microsoft.OperationalInsights/workspaces")["properties"]["retentionInDays"] == 30
    assert (
        render(BP, log_retention_days=3653).template["resources"][0]["properties"]["retentionInDays"] == 730
    )
    diagnostics = one(template, ACI)["properties"]["diagnostics"]["logAnalytics"]
    assert diagnostics["workspaceKey"].startswith("[listKeys(")
    assert not resources_of(template, "Microsoft.Storage/storageAccounts")
