"""``Microsoft.KeyVault/vaults`` and ``vaults/secrets``: endpoints, and secrets kept as hashes only.

A secret's ``properties.value`` is write-only on the management plane (a GET never returns it), so
the emulator stores only its :func:`~.base.secret_hash`.  A deployment parameter that references the
secret (:mod:`..keyvault_refs`) resolves to that hash: write-only members that receive it (an ACI
``secureValue``, a password) hold the same hash as if the clear value had been sent, and no clear
secret ever reaches the emulator's state file.
"""

from __future__ import annotations

from ..state import EmulatorState
from .base import Draft, JsonDict, ResourceHandler, is_secret_hash, secret_hash, stable_hex


class VaultHandler(ResourceHandler):
    """``Microsoft.KeyVault/vaults``: the vault URI."""

    types = ("microsoft.keyvault/vaults",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {"properties": {"vaultUri": f"https://{draft.name}.vault.azure.net/"}}


class SecretHandler(ResourceHandler):
    """``Microsoft.KeyVault/vaults/secrets``: URIs (a new version per value), the value stored hashed."""

    types = ("microsoft.keyvault/vaults/secrets",)

    def redact(self, declared: JsonDict) -> JsonDict:
        result = super().redact(declared)
        properties = result.get("properties")
        if isinstance(properties, dict) and "value" in properties:
            value = properties["value"]
            if value is not None and not is_secret_hash(value):
                properties["value"] = secret_hash(value)
        return result

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        vault = draft.parsed.names[0]
        value = draft.properties.get("value")
        stored = value if is_secret_hash(value) else secret_hash(value) if value is not None else ""
        version = stable_hex(32, draft.resource_id, str(stored))
        uri = f"https://{vault}.vault.azure.net/secrets/{draft.name}"
        return {"properties": {"secretUri": uri, "secretUriWithVersion": f"{uri}/{version}"}}
