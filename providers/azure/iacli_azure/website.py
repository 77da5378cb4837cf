"""Static websites on Azure: a storage account's static website (its ``$web`` container, served at
``primaryEndpoints.web``) is a Blob service data-plane setting ARM cannot make, so iacli makes it after
each deployment of a template that asks for one in its top-level metadata::

    "metadata": {"iacliStaticWebsite": {"storageAccount": "[variables('siteStorageName')]",
                                        "indexDocument": "index.html",
                                        "errorDocument404Path": "index.html"}}

``storageAccount`` is a name or an ARM expression, evaluated like ``metadata.iacliAssets``
(:func:`iacli_azure.packages.storage_account`); the template creates the account. After the deployment
(and after the redeployment of an automatic rollback) the provider reads the account's Blob service
properties and, only when they differ, sets ``StaticWebsite`` (enabled, with those documents): Azure then
creates the ``$web`` container.

Permissions: Get/Set Blob Service Properties are authorized with the RBAC actions
``Microsoft.Storage/storageAccounts/blobServices/read`` and ``.../write``, which no Storage Blob Data role
holds; Owner, Contributor and Storage Account Contributor do. A principal that can deploy a template
creating the account (and its ``blobServices/default``) holds them already, so templates grant nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iacli.errors import ProviderError, TemplateError
from iacli.plan import Event, EventStatus
from iacli.providers import EventSink
from iacli_azure.errors import error_message
from iacli_azure.packages import ACCOUNT_TYPE, BLOB_ERRORS, storage_account, storage_code
from iacli_azure.session import AzureSession

METADATA = "iacliStaticWebsite"
KEYS = frozenset({"storageAccount", "indexDocument", "errorDocument404Path"})
EXPLAINED = {
    **BLOB_ERRORS,
    "AuthorizationPermissionMismatch": "the signed-in principal may not change the account's Blob service "
                                       "properties (that needs Microsoft.Storage/storageAccounts/blobServices/write: "
                                       "Owner, Contributor or Storage Account Contributor; Storage Blob Data roles "
                                       "do not grant it)",
}
"""Blob error codes in words (the package uploads' ones, but for the permission this needs)."""

_HINT = (f'add to the template: "metadata": {{"{METADATA}": {{"storageAccount": "<account name or [expression]>", '
         '"indexDocument": "index.html", "errorDocument404Path": "<optional: page served for a missing path>"}}')


@dataclass(frozen=True)
class WebsiteSpec:
    """The static website a template asks for (its ``metadata.iacliStaticWebsite``)."""

    account: str
    """A storage account name or an ARM expression."""
    index_document: str
    error_document: str | None = None


def website_spec(body: Mapping[str, Any], source: str) -> WebsiteSpec | None:
    """The template's static website metadata, or None; TemplateError when it is there but malformed."""
    metadata = body.get("metadata")
    raw = metadata.get(METADATA) if isinstance(metadata, Mapping) else None
    if raw is None:
        return None
    problem = _malformed(raw)
    if problem is not None:
        raise TemplateError(f"{source}: metadata.{METADATA} {problem}", hint=_HINT)
    error = raw.get("errorDocument404Path")
    return WebsiteSpec(raw["storageAccount"], raw["indexDocument"], error or None)


def _malformed(raw: Any) -> str | None:
    if not isinstance(raw, Mapping):
        return "must be an object"
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        return f"has unknown member(s) {', '.join(unknown)} (expected {', '.join(sorted(KEYS))})"
    if not all(isinstance(raw.get(k), str) and raw[k] for k in ("storageAccount", "indexDocument")):
        return "needs the strings storageAccount and indexDocument (and optionally errorDocument404Path)"
    if not isinstance(raw.get("errorDocument404Path", ""), str):
        return "errorDocument404Path must be a string"
    return None


def malformed_website(body: Mapping[str, Any], source: str) -> str | None:
    """Why the template's static website metadata is unusable (None when it is fine or absent)."""
    try:
        website_spec(body, source)
    except TemplateError as exc:
        return str(exc.message).removeprefix(f"{source}: ")
    return None


class StaticWebsite:
    """Turns on the static website a deployed template asks for (:meth:`ensure`, after each deployment)."""

    def __init__(self, session: AzureSession, on_event: EventSink, source: str) -> None:
        self.session = session
        self.on_event = on_event
        self.source = source

    def ensure(self, body: Mapping[str, Any], parameters: Mapping[str, Any], done: str) -> None:
        """Make the account's static website enabled with the template's documents, writing only what
        differs. ``done`` says what just happened (``was deployed``), for the error if this fails."""
        from azure.core.exceptions import AzureError

        spec = website_spec(body, self.source)
        if spec is None:
            return
        account = storage_account(self.session, body, parameters, spec.account,
                                  f"metadata.{METADATA}.storageAccount", self.source)
        try:
            changed = self._apply(account, spec)
        except AzureError as exc:
            raise self._failed(exc, account, spec, done) from None
        if changed:
            documents = spec.index_document + (f", 404: {spec.error_document}" if spec.error_document else "")
            self.on_event(Event(f"{account} static website", ACCOUNT_TYPE, EventStatus.COMPLETE, "Enabled", documents))

    def _apply(self, account: str, spec: WebsiteSpec) -> bool:
        """Set Blob Service Properties' ``StaticWebsite`` unless it is so already; True when it was set."""
        from azure.storage.blob import StaticWebsite as Website

        service = self.session.blob_service(account)
        current = service.get_service_properties()["static_website"]
        state = (current.enabled, current.index_document, current.error_document404_path,
                 current.default_index_document_path)
        if state == (True, spec.index_document, spec.error_document, None):
            return False
        # DefaultIndexDocumentPath excludes IndexDocument: leaving it out of the request clears it
        wanted = Website(enabled=True, index_document=spec.index_document, error_document404_path=spec.error_document)
        service.set_service_properties(static_website=wanted)
        return True

    def _failed(self, exc: BaseException, account: str, spec: WebsiteSpec, done: str) -> ProviderError:
        code = storage_code(exc)
        detail = EXPLAINED.get(code or "") or error_message(exc).splitlines()[0]
        manual = (f"az storage blob service-properties update --account-name {account} --auth-mode login "
                  f"--static-website --index-document {spec.index_document}"
                  + (f" --404-document {spec.error_document}" if spec.error_document else ""))
        return ProviderError(
            f"{self.session.target.stack} {done}, but enabling the static website of storage account {account} "
            f"failed: {code or type(exc).__name__}: {detail}",
            hint=f"deploy again to retry, or enable it by hand: {manual}",
        )
