"""iacli_azure.website offline: the metadata contract, its validation finding, and what StaticWebsite.ensure
reads, writes and reports (a recording Blob service stands in for the account)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import StaticWebsite as Website
from iacli_azure.session import AzureSession
from iacli_azure.validation import validate
from iacli_azure.website import StaticWebsite, WebsiteSpec, website_spec

from iacli.errors import ProviderError, TemplateError
from iacli.plan import Event
from iacli.providers import Deployable, Target, TargetKind
from iacli.render import RenderedTemplate

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
META = {"storageAccount": "[concat('stweb', uniqueString(resourceGroup().id))]", "indexDocument": "index.html",
        "errorDocument404Path": "index.html"}


def body(metadata: Any = META) -> dict[str, Any]:
    doc: dict[str, Any] = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": []}
    if metadata is not None:
        doc["metadata"] = {"iacliStaticWebsite": metadata}
    return doc


class RecordingService:
    """A Blob service client's service-properties calls: answers ``current``, records what is set."""

    def __init__(self, current: Website, error: str | None = None) -> None:
        self.current = current
        self.error = error
        self.written: list[Website] = []

    def get_service_properties(self) -> dict[str, Any]:
        if self.error:
            exc = HttpResponseError(message="This request is not authorized to perform this operation.")
            exc.error_code = self.error
            raise exc
        return {"static_website": self.current}

    def set_service_properties(self, static_website: Website) -> None:
        self.written.append(static_website)
        self.current = static_website


class Session(AzureSession):
    def __init__(self, service: RecordingService) -> None:
        super().__init__(Target("azure", TargetKind.SANDBOX, "ws-dev"), lambda: "http://127.0.0.1:9")
        self.service = service
        self.accounts: list[str] = []

    def blob_service(self, account: str) -> Any:
        self.accounts.append(account)
        return self.service


def ensure(service: RecordingService, doc: dict[str, Any] | None = None) -> tuple[Session, list[Event]]:
    events: list[Event] = []
    session = Session(service)
    StaticWebsite(session, events.append, "t.json").ensure(doc or body(), {}, "was deployed")
    return session, events


def test_the_metadata_contract() -> None:
    assert website_spec(body(), "t.json") == WebsiteSpec(META["storageAccount"], "index.html", "index.html")
    assert website_spec(body({"storageAccount": "st1", "indexDocument": "a.html"}), "t.json") == WebsiteSpec(
        "st1", "a.html", None)
    assert website_spec(body(None), "t.json") is None
    for bad, why in ((["st1"], "must be an object"), ({"storageAccount": "st1"}, "needs the strings"),
                     ({**META, "errorDocument": "x"}, r"unknown member\(s\) errorDocument \(expected"),
                     ({**META, "errorDocument404Path": 404}, "errorDocument404Path must be a string")):
        with pytest.raises(TemplateError, match=why) as err:
            website_spec(body(bad), "t.json")
        assert err.value.message.startswith("t.json: metadata.iacliStaticWebsite ") and "indexDocument" in (
            err.value.hint or "")


def test_malformed_metadata_is_a_validation_finding() -> None:
    doc = body({"storageAccount": "st1", "index": "index.html"})
    rendered = RenderedTemplate(Path("t.json"), json.dumps(doc, indent=1), doc, {})
    [finding] = [d for d in validate(Deployable(stack="ws-dev", template=rendered), "eastus")
                 if d.rule == "arm-static-website"]
    assert "unknown member(s) index" in finding.message and finding.path == "metadata.iacliStaticWebsite"
    lines = rendered.text.splitlines()
    assert '"iacliStaticWebsite"' in lines[finding.line - 1] and finding.source == "t.json"
    fine = RenderedTemplate(Path("t.json"), json.dumps(body()), body(), {})
    assert not [d for d in validate(Deployable(stack="ws-dev", template=fine), "eastus")
                if d.rule == "arm-static-website"]


def test_written_when_it_differs_and_only_then() -> None:
    service = RecordingService(Website(enabled=False))
    session, events = ensure(service)
    [written] = service.written
    assert (written.enabled, written.index_document, written.error_document404_path) == (True, "index.html", "index.html")
    [account] = session.accounts
    assert account.startswith("stweb") and len(account) == 18  # the expression, evaluated for ws-dev's group
    assert [(e.logical_id, e.raw_status, e.reason) for e in events] == [
        (f"{account} static website", "Enabled", "index.html, 404: index.html")]
    _, events = ensure(service)  # the same again: read, nothing written, nothing reported
    assert len(service.written) == 1 and events == []
    drifted = RecordingService(Website(enabled=True, index_document="index.html", default_index_document_path="/a.html"))
    ensure(drifted)
    assert drifted.written and drifted.written[0].default_index_document_path is None  # exclusive with indexDocument


def test_no_metadata_touches_nothing() -> None:
    service = RecordingService(Website(enabled=False))
    session, events = ensure(service, body(None))
    assert session.accounts == [] and service.written == [] and events == []


def test_a_refusal_says_what_was_done_what_failed_and_how_to_do_it_by_hand() -> None:
    with pytest.raises(ProviderError) as err:
        ensure(RecordingService(Website(enabled=False), error="AuthorizationPermissionMismatch"))
    message, hint = err.value.message, err.value.hint or ""
    assert message.startswith("ws-dev was deployed, but enabling the static website of storage account stweb")
    assert "AuthorizationPermissionMismatch" in message and "blobServices/write" in message
    assert "Storage Blob Data roles do not grant it" in message and "\n" not in message
    assert "az storage blob service-properties update --account-name stweb" in hint
    assert hint.endswith("--static-website --index-document index.html --404-document index.html")
