"""iacli_azure.packages and the session's principal, offline: placeholders -> package URLs, the uploader
parameter, the metadata checks."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from iacli_azure.emulator.ids import PRINCIPAL_ID
from iacli_azure.packages import missing_metadata, package_spec, resolve
from iacli_azure.session import AzureSession, token_claims
from iacli_azure.validation import validate

from iacli.assets import Asset
from iacli.errors import ProviderError, TemplateError
from iacli.providers import Deployable, Target, TargetKind
from iacli.render import RenderedTemplate

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
ASSET = Asset(Path("src"), b"zip", "ab" * 32)
META = {"storageAccount": "[concat('stpkg', uniqueString(resourceGroup().id))]", "container": "code",
        "uploaderPrincipalParameter": "uploader"}


def body(metadata: Any = META, value: str = ASSET.placeholder) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"uploader": {"type": "string", "defaultValue": ""}},
        "resources": [{"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "fn",
                       "location": "[resourceGroup().location]",
                       "properties": {"siteConfig": {"appSettings": [{"name": "WEBSITE_RUN_FROM_PACKAGE",
                                                                      "value": value}]}}}],
    }
    if metadata is not None:
        doc["metadata"] = {"iacliAssets": metadata}
    return doc


def deployable(doc: dict[str, Any], assets: bool = True) -> Deployable:
    rendered = RenderedTemplate(Path("t.json"), json.dumps(doc, indent=1), doc,
                                {ASSET.placeholder: ASSET} if assets else {})
    return Deployable(stack="pk-dev", template=rendered)


def session(stack: str = "pk-dev", credential: Any = None) -> AzureSession:
    credentials = {TargetKind.SANDBOX: credential} if credential is not None else None
    return AzureSession(Target("azure", TargetKind.SANDBOX, stack), lambda: "http://127.0.0.1:9", credentials)


def test_placeholders_become_package_urls_and_the_uploader_is_the_signed_in_principal() -> None:
    resolved = resolve(session(), deployable(body()))
    value = resolved.template.body["resources"][0]["properties"]["siteConfig"]["appSettings"][0]["value"]
    account = value.removeprefix("https://").split(".")[0]
    assert value == f"https://{account}.blob.core.windows.net/code/{ASSET.sha256}.zip"
    assert account.startswith("stpkg") and len(account) == 18
    assert ASSET.placeholder not in resolved.template.text and value in resolved.template.text
    assert resolved.parameters == {"uploader": PRINCIPAL_ID}
    assert resolve(session(), deployable(body())).template.body == resolved.template.body  # deterministic
    other = resolve(session("pk-prod"), deployable(body())).template.body
    assert other != resolved.template.body  # uniqueString of another group: another account


def test_a_release_without_assets_only_gets_the_uploader_filled() -> None:
    doc = body(value="https://stpkgold.blob.core.windows.net/code/old.zip")
    resolved = resolve(session(), deployable(doc, assets=False))
    assert resolved.template.body == doc and resolved.parameters == {"uploader": PRINCIPAL_ID}


def test_templates_without_package_metadata() -> None:
    plain = deployable(body(metadata=None), assets=False)
    assert resolve(session(), plain) is plain
    with pytest.raises(TemplateError, match="does not say where they go on Azure") as err:
        resolve(session(), deployable(body(metadata=None)))
    assert err.value.message.startswith("t.json: ") and "iacliAssets" in (err.value.hint or "")
    [finding] = [d for d in validate(deployable(body(metadata=None)), "eastus") if d.rule == "arm-assets"]
    assert "storageAccount and container" in finding.message and finding.source == "t.json"
    assert not [d for d in validate(deployable(body()), "eastus") if d.rule == "arm-assets"]


@pytest.mark.parametrize(("metadata", "message"), [
    ({"container": "code"}, "needs the strings storageAccount and container"),
    ({"storageAccount": "st", "container": 1}, "needs the strings storageAccount and container"),
    ({"storageAccount": "st", "container": "c", "uploaderPrincipalParameter": "nope"}, "does not declare"),
])
def test_malformed_metadata_is_refused(metadata: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        package_spec(body(metadata), "t.json")
    assert message in (missing_metadata(body(metadata), {ASSET.placeholder: ASSET}, "t.json") or "")


def test_a_literal_account_name_is_used_as_it_is() -> None:
    resolved = resolve(session(), deployable(body({"storageAccount": "stfixed", "container": "pk"})))
    value = resolved.template.body["resources"][0]["properties"]["siteConfig"]["appSettings"][0]["value"]
    assert value == f"https://stfixed.blob.core.windows.net/pk/{ASSET.sha256}.zip" and resolved.parameters == {}


class _Token:
    def __init__(self, token: str) -> None:
        self.token = token


class _Credential:
    def __init__(self, claims: dict[str, Any] | None) -> None:
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") if claims else "x"
        self.value = f"e30.{payload}.sig"

    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        return _Token(self.value)


def test_principal_is_the_oid_of_the_token() -> None:
    assert session(credential=_Credential({"oid": "abc", "tid": "t"})).principal_id == "abc"
    with pytest.raises(ProviderError, match="no 'oid' claim"):
        _ = session(credential=_Credential({"tid": "t"})).principal_id
    with pytest.raises(ProviderError, match="no 'oid' claim"):
        _ = session(credential=_Credential(None)).principal_id
    assert token_claims("not a jwt") == {} and token_claims("a.!!!.c") == {}
    assert session().principal_id == PRINCIPAL_ID  # the emulator's token names its principal
