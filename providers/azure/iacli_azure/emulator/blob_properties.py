"""Blob service properties of the emulated storage accounts (Get/Set Blob Service Properties): the XML
document ``azure-storage-blob`` sends and parses, and the per-account store the state keeps.

A Set request replaces each top-level element it carries (``Logging``, ``HourMetrics``, ``MinuteMetrics``,
``Cors``, ``DefaultServiceVersion``, ``DeleteRetentionPolicy``, ``StaticWebsite``, any other) and leaves the
others as they were, as Azure does; elements are kept as the XML the client sent. A Get answers every
element, the defaults of a new account for those never set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

ROOT = "StorageServiceProperties"
STATIC_WEBSITE = "StaticWebsite"
_RETENTION_OFF = "<RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"
DEFAULTS = {
    "Logging": f"<Logging><Version>1.0</Version><Read>false</Read><Write>false</Write><Delete>false</Delete>"
               f"{_RETENTION_OFF}</Logging>",
    "HourMetrics": f"<HourMetrics><Version>1.0</Version><Enabled>false</Enabled>{_RETENTION_OFF}</HourMetrics>",
    "MinuteMetrics": f"<MinuteMetrics><Version>1.0</Version><Enabled>false</Enabled>{_RETENTION_OFF}</MinuteMetrics>",
    "Cors": "<Cors />",
    "DeleteRetentionPolicy": "<DeleteRetentionPolicy><Enabled>false</Enabled></DeleteRetentionPolicy>",
    STATIC_WEBSITE: "<StaticWebsite><Enabled>false</Enabled></StaticWebsite>",
}
"""What a new account answers (Azure's order; ``DefaultServiceVersion`` only once set)."""
_BOOLEANS = {"true": True, "false": False}


class ServicePropertiesError(ValueError):
    """A Set Blob Service Properties body Azure would refuse: its error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def parse(body: bytes) -> dict[str, str]:
    """The top-level elements of a ``StorageServiceProperties`` document, each as its XML text."""
    try:
        root = ElementTree.fromstring(body)  # expat refuses entity-expansion bombs
    except ElementTree.ParseError as exc:
        raise ServicePropertiesError("InvalidXmlDocument", f"XML specified is not syntactically valid: {exc}") from None
    if root.tag != ROOT:
        raise ServicePropertiesError("InvalidXmlDocument", f"The root element must be {ROOT}, not {root.tag}.")
    elements = {child.tag: ElementTree.tostring(child, encoding="unicode").strip() for child in root}
    if STATIC_WEBSITE in elements:
        _static_website(elements[STATIC_WEBSITE])
    return elements


def document(elements: Mapping[str, str]) -> bytes:
    """The Get answer: every default element, overridden by what was set, then any other set element."""
    merged = {**DEFAULTS, **elements}
    order = [*DEFAULTS, *(name for name in elements if name not in DEFAULTS)]
    if "DefaultServiceVersion" in elements:  # Azure puts it between Cors and DeleteRetentionPolicy
        order.remove("DefaultServiceVersion")
        order.insert(order.index("DeleteRetentionPolicy"), "DefaultServiceVersion")
    inner = "".join(merged[name] for name in order)
    return f'<?xml version="1.0" encoding="utf-8"?><{ROOT}>{inner}</{ROOT}>'.encode()


def static_website_enabled(elements: Mapping[str, str]) -> bool:
    """Whether the static website is on (per the set ``StaticWebsite`` element, off by default)."""
    return _static_website(elements.get(STATIC_WEBSITE, DEFAULTS[STATIC_WEBSITE]))


def _static_website(xml: str) -> bool:
    enabled = ElementTree.fromstring(xml).findtext("Enabled")
    if enabled is None or enabled.strip().casefold() not in _BOOLEANS:
        raise ServicePropertiesError("InvalidXmlNodeValue",
                                     "The value for one of the XML nodes is not in the correct format: "
                                     "StaticWebsite/Enabled must be true or false.")
    return _BOOLEANS[enabled.strip().casefold()]


class ServicePropertiesStore:
    """The Blob service properties each account was set (callers hold the state's lock)."""

    def __init__(self) -> None:
        self._accounts: dict[str, dict[str, str]] = {}

    def get(self, account: str) -> dict[str, str]:
        """The elements set on ``account`` (empty: all defaults)."""
        return dict(self._accounts.get(account.casefold(), {}))

    def update(self, account: str, elements: Mapping[str, str]) -> None:
        """Replace the given elements of ``account``'s properties, keep the others."""
        self._accounts.setdefault(account.casefold(), {}).update(elements)

    def drop(self, account: str) -> None:
        """Forget a deleted account's properties."""
        self._accounts.pop(account.casefold(), None)

    def clear(self) -> None:
        """Forget every account's properties."""
        self._accounts.clear()

    def snapshot(self) -> dict[str, dict[str, str]]:
        """JSON-ready: account -> element -> XML."""
        return {account: dict(elements) for account, elements in self._accounts.items()}

    def restore(self, data: Mapping[str, Any]) -> None:
        """Replace everything by a :meth:`snapshot`."""
        self._accounts = {str(account): {str(k): str(v) for k, v in elements.items()}
                          for account, elements in data.items()}
