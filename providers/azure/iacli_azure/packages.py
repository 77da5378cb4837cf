"""Code packages on Azure: asset placeholders become blob URLs, the zips go to the template's package
container (content-addressed: each one once), and function apps restart to load a new one.

A template that ships code assets (``asset("src")``) says where they go in its top-level metadata::

    "metadata": {"iacliAssets": {"storageAccount": "[variables('siteStorageName')]",
                                 "container": "packages",
                                 "uploaderPrincipalParameter": "packageUploaderPrincipalId"}}

``storageAccount`` is a name or an ARM expression, evaluated offline with the target's subscription and
resource group (``uniqueString(resourceGroup().id, ...)`` names are known before anything is deployed);
the template creates the account and the ``container``. ``uploaderPrincipalParameter`` (optional) names a
string parameter iacli fills with the signed-in principal's object id, so the template can grant it a data
role on the container: accounts with shared keys off accept only Microsoft Entra ID uploads.

Each placeholder becomes ``https://<account>.blob.core.windows.net/<container>/<sha256>.zip``. On apply,
when the container exists already (a later deploy) packages are uploaded before the deployment, so the
app-setting change (which restarts the app) finds its package; otherwise after it, and then each
``Microsoft.Web/sites`` whose definition names a package uploaded then is restarted to load it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from iacli.assets import Asset, substitute
from iacli.errors import ProviderError, TemplateError
from iacli.plan import Event, EventStatus
from iacli.providers import Deployable, EventSink
from iacli_azure.errors import azure_errors, error_code, error_message
from iacli_azure.session import BLOB_HOST_SUFFIX, AzureSession

METADATA = "iacliAssets"
ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
ACCOUNT_API_VERSION = "2023-01-01"
SITE_TYPES = ("microsoft.web/sites", "microsoft.web/sites/slots")
SITE_API_VERSION = "2023-01-01"
BLOB_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
PACKAGE_CONTENT_TYPE = "application/zip"
ROLE_PENDING = frozenset({"AuthorizationPermissionMismatch", "AuthorizationFailure"})
"""Blob errors while a new role assignment has not reached the storage service yet (minutes on Azure)."""
NOT_YET = ROLE_PENDING | {"ContainerNotFound"}
"""Blob errors of a container (or a role assignment) the deployment has not created yet."""
BLOB_ERRORS = {
    "AuthorizationPermissionMismatch": "the signed-in principal holds no Storage Blob Data role on the container",
    "AuthorizationFailure": "the storage account refuses the signed-in principal (network rules or no role)",
    "AccountNotFound": "the storage account does not exist (the template must create it)",
    "ContainerNotFound": "the container does not exist (the template must create it)",
    "KeyBasedAuthenticationNotPermitted": "the account accepts Microsoft Entra ID tokens only",
}
"""Blob error codes in words (a HEAD answer carries only the code)."""
ROLE_WAIT_S = 300.0
ROLE_POLL_S = 10.0

_HINT = ('add to the template: "metadata": {"iacliAssets": {"storageAccount": "<account name or [expression]>", '
         '"container": "<a blob container the template creates>", "uploaderPrincipalParameter": '
         '"<a string parameter for the uploader\'s object id, granted a Storage Blob Data role on it>"}}')


@dataclass(frozen=True)
class PackageSpec:
    """Where a template's packages go (its ``metadata.iacliAssets``)."""

    account: str
    """A storage account name or an ARM expression."""
    container: str
    uploader_parameter: str | None = None


def package_spec(body: Mapping[str, Any], source: str) -> PackageSpec | None:
    """The template's package metadata, or None; TemplateError when it is there but malformed."""
    metadata = body.get("metadata")
    raw = metadata.get(METADATA) if isinstance(metadata, Mapping) else None
    if raw is None:
        return None
    account = raw.get("storageAccount") if isinstance(raw, Mapping) else None
    container = raw.get("container") if isinstance(raw, Mapping) else None
    uploader = raw.get("uploaderPrincipalParameter") if isinstance(raw, Mapping) else None
    if not (isinstance(account, str) and account and isinstance(container, str) and container) or not (
        uploader is None or isinstance(uploader, str)
    ):
        raise TemplateError(f"{source}: metadata.{METADATA} needs the strings storageAccount and container "
                            "(and optionally uploaderPrincipalParameter)", hint=_HINT)
    declared = {str(k).lower() for k in (body.get("parameters") or {})}
    if uploader and uploader.lower() not in declared:
        raise TemplateError(f"{source}: metadata.{METADATA}.uploaderPrincipalParameter names {uploader!r}, "
                            "which the template does not declare",
                            hint=f'declare it: "{uploader}": {{"type": "string", "defaultValue": ""}}')
    return PackageSpec(account, container, uploader or None)


def missing_metadata(body: Mapping[str, Any], assets: Mapping[str, Asset], source: str) -> str | None:
    """Why the template cannot ship its assets on Azure (None when it can)."""
    if not assets:
        return None
    try:
        spec = package_spec(body, source)
    except TemplateError as exc:
        return str(exc.message).removeprefix(f"{source}: ")
    if spec is None:
        return (f"the template ships {len(assets)} code asset(s) but does not say where they go on Azure: add "
                f"metadata.{METADATA} with storageAccount and container (and uploaderPrincipalParameter)")
    return None


def blob_name(asset: Asset) -> str:
    return f"{asset.sha256}.zip"


def package_url(account: str, container: str, asset: Asset) -> str:
    """The URL a function app runs its package from (WEBSITE_RUN_FROM_PACKAGE)."""
    return f"https://{account}{BLOB_HOST_SUFFIX}/{container}/{blob_name(asset)}"


def resolve(session: AzureSession, deployable: Deployable) -> Deployable:
    """The deployable as it is submitted: placeholders swapped for package URLs, the uploader parameter
    filled with the signed-in principal. Unchanged for a template without package metadata or assets."""
    rendered = deployable.template
    source = str(rendered.source)
    problem = missing_metadata(rendered.body, rendered.assets, source)
    if problem is not None:
        raise TemplateError(f"{source}: {problem}", hint=_HINT)
    spec = package_spec(rendered.body, source)
    if spec is None:
        return deployable
    parameters = dict(deployable.parameters)
    if spec.uploader_parameter:
        parameters[spec.uploader_parameter] = session.principal_id
    if not rendered.assets:
        return replace(deployable, parameters=parameters)
    account = storage_account(session, rendered.body, parameters, spec.account, f"metadata.{METADATA}.storageAccount",
                              source)
    urls = {placeholder: package_url(account, spec.container, asset) for placeholder, asset in rendered.assets.items()}
    text = rendered.text
    for placeholder, url in urls.items():
        text = text.replace(placeholder, url)
    template = replace(rendered, text=text, body=substitute(rendered.body, urls))
    return replace(deployable, template=template, parameters=parameters)


def storage_account(session: AzureSession, body: Mapping[str, Any], parameters: Mapping[str, Any],
                    account: str, where: str, source: str) -> str:
    """A storage account's name: ``account`` (a name or an ARM expression, found at ``where`` in the
    template's metadata) evaluated for the target's group."""
    from iacli_azure.arm import ArmTemplateError, evaluate

    try:
        value = evaluate(account, _context(session, body, parameters))
    except ArmTemplateError as exc:
        raise TemplateError(f"{source}: cannot evaluate {where}: {exc}") from None
    if not isinstance(value, str) or not value:
        raise TemplateError(f"{source}: {where} is not a name: {value!r}")
    return value


def _context(session: AzureSession, body: Mapping[str, Any], parameters: Mapping[str, Any]) -> Any:
    from iacli_azure.arm import EvaluationContext, ResourceGroupInfo, SubscriptionInfo

    return EvaluationContext.create(
        body, parameters,
        resource_group=ResourceGroupInfo(session.group, session.region),
        subscription=SubscriptionInfo(subscription_id=session.subscription_id),
    )


def storage_code(exc: BaseException) -> str | None:
    """A Blob storage error code (``ContainerNotFound``...), else the ARM one."""
    code = getattr(exc, "error_code", None)
    return str(code) if code else error_code(exc)


class PackageDelivery:
    """Uploads one resolved deployable's packages around its deployment and restarts what runs them."""

    def __init__(self, session: AzureSession, deployable: Deployable, on_event: EventSink,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.session = session
        self.deployable = deployable
        self.on_event = on_event
        self.sleep = sleep
        rendered = deployable.template
        self.spec = package_spec(rendered.body, str(rendered.source)) if rendered.assets else None
        self.account = (storage_account(session, rendered.body, deployable.parameters, self.spec.account,
                                        f"metadata.{METADATA}.storageAccount", str(rendered.source))
                        if self.spec is not None else "")
        self.uploaded: list[Asset] = []

    def before_deploy(self) -> None:
        """Upload into a container that exists already; leave the rest for after the deployment."""
        from azure.core.exceptions import AzureError

        if self.spec is None or not self._account_exists():
            return
        try:
            self._publish()
        except AzureError as exc:
            if storage_code(exc) not in NOT_YET:
                raise self._failed(exc, deployed=False) from None

    def after_deploy(self) -> None:
        """Upload what is still missing, then restart the function apps that run a package uploaded now."""
        from azure.core.exceptions import AzureError

        if self.spec is None:
            return
        waited = 0.0
        before = len(self.uploaded)
        while True:
            try:
                self._publish()
                break
            except AzureError as exc:
                if self.session.sandbox or storage_code(exc) not in ROLE_PENDING or waited >= ROLE_WAIT_S:
                    raise self._failed(exc, deployed=True) from None
                if not waited:
                    self._event(self.account, ACCOUNT_TYPE, EventStatus.IN_PROGRESS, "WaitingForRoleAssignment",
                                "the upload permission granted by the deployment takes a while to apply")
                self.sleep(ROLE_POLL_S)
                waited += ROLE_POLL_S
        fresh = self.uploaded[before:]
        if fresh:
            self._restart(fresh)

    # --- uploads ----------------------------------------------------------------------------------
    def _account_exists(self) -> bool:
        from iacli_azure.planner import get_group

        if get_group(self.session) is None:
            return False
        account_id = (f"/subscriptions/{self.session.subscription_id}/resourceGroups/{self.session.group}"
                      f"/providers/{ACCOUNT_TYPE}/{self.account}")
        with azure_errors(f"look up storage account {self.account}"):
            return bool(self.session.resources.resources.check_existence_by_id(
                account_id, api_version=ACCOUNT_API_VERSION))

    def _publish(self) -> None:
        """Upload each package that is not in the container yet (or differs from what is there)."""
        assert self.spec is not None
        container = self.session.blob_service(self.account).get_container_client(self.spec.container)
        done = {asset.sha256 for asset in self.uploaded}
        for asset in self.deployable.template.assets.values():
            if asset.sha256 not in done and self._upload(container, asset):
                self.uploaded.append(asset)
                self._event(f"{self.spec.container}/{blob_name(asset)}", BLOB_TYPE, EventStatus.COMPLETE, "Uploaded")

    def _upload(self, container: Any, asset: Asset) -> bool:
        """Upload ``asset`` unless the same bytes are there already; True when it was uploaded."""
        from azure.core.exceptions import ResourceNotFoundError
        from azure.storage.blob import ContentSettings

        blob = container.get_blob_client(blob_name(asset))
        md5 = hashlib.md5(asset.data, usedforsecurity=False).digest()  # Blob storage's Content-MD5
        try:
            properties = blob.get_blob_properties()
        except ResourceNotFoundError as exc:
            if storage_code(exc) not in (None, "BlobNotFound"):
                raise
            properties = None
        if properties is not None and bytes(properties.content_settings.content_md5 or b"") == md5:
            return False
        settings = ContentSettings(content_type=PACKAGE_CONTENT_TYPE, content_md5=bytearray(md5))
        blob.upload_blob(asset.data, overwrite=properties is not None, content_settings=settings)
        return True

    def _failed(self, exc: BaseException, deployed: bool) -> ProviderError:
        assert self.spec is not None
        where = f"{self.account}/{self.spec.container}"
        what = (f"{self.session.target.stack} was deployed, but uploading its function package to {where} failed"
                if deployed else f"uploading the function package to {where} failed (nothing was deployed)")
        code = storage_code(exc)
        detail = BLOB_ERRORS.get(code or "") or error_message(exc).splitlines()[0]
        return ProviderError(
            f"{what}: {code or type(exc).__name__}: {detail}",
            hint="the template must create the container and grant the deploying principal Storage Blob Data "
                 "Contributor on it; deploy again to retry (packages already there are not uploaded again)",
        )

    # --- restarts ---------------------------------------------------------------------------------
    def _restart(self, fresh: list[Asset]) -> None:
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest

        assert self.spec is not None
        urls = [package_url(self.account, self.spec.container, asset) for asset in fresh]
        for site_id in self._sites(urls):
            with azure_errors(f"restart {site_id}"):
                response = self.session.resources.send_request(
                    HttpRequest("POST", f"{site_id}/restart", params={"api-version": SITE_API_VERSION}))
                if response.status_code >= 300:
                    raise HttpResponseError(response=response)
            self._event(site_id.rsplit("/", 1)[-1], "Microsoft.Web/sites", EventStatus.COMPLETE, "Restarted",
                        "loads the new package")

    def _sites(self, urls: list[str]) -> list[str]:
        """Ids of the template's web/function apps whose definition names one of ``urls``."""
        from iacli_azure.arm import ArmTemplateError, expand_resources

        body = self.deployable.template.body
        try:
            expanded = expand_resources(body, _context(self.session, body, self.deployable.parameters))
        except ArmTemplateError as exc:
            raise ProviderError(f"cannot tell which function apps run the new package: {exc}") from None
        return [resource.resource_id for resource in expanded
                if resource.type.lower() in SITE_TYPES and any(url in json.dumps(resource.definition) for url in urls)]

    def _event(self, name: str, rtype: str, status: EventStatus, raw: str, reason: str | None = None) -> None:
        self.on_event(Event(name, rtype, status, raw, reason))
