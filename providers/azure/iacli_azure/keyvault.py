"""Secrets by reference: a template parameter fed from Azure Key Vault, resolved by ARM at deployment.

A blueprint marks a ``securestring`` parameter with ``metadata.iacliSecretReference`` (container-app's
``secrets`` items become ``secret_<ENV>`` parameters that way). iacli never reads the secret: it sends
ARM a Key Vault parameter reference (``{"reference": {"keyVault": {"id"}, "secretName"}}``) and ARM
fetches the value from a vault that allows template deployments. The reference, not the value, is what
the release history keeps, so a rollback re-sends it unchanged.

Accepted reference texts (:func:`parse_reference`):

- the secret's resource id ``/subscriptions/S/resourceGroups/G/providers/Microsoft.KeyVault/vaults/V/secrets/N``
- its identifier ``https://V.vault.azure.net/secrets/N[/VERSION]`` (what ``az keyvault secret show`` prints)
- ``V/N`` (a vault of the deployment's subscription, found by name)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iacli.errors import ParameterError
from iacli_azure.errors import azure_errors

REFERENCE_KEY = "iacliSecretReference"
VAULT_TYPE = "Microsoft.KeyVault/vaults"
FORMS = "a Key Vault secret as VAULT/SECRET, https://VAULT.vault.azure.net/secrets/SECRET or the secret's resource id"

_NAME = r"[A-Za-z0-9-]{1,127}"
_VAULT = r"[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]"
_SHORT = re.compile(rf"^(?P<vault>{_VAULT})/(?P<secret>{_NAME})$")
_URI = re.compile(
    rf"^https://(?P<vault>{_VAULT})\.vault\.azure\.net/secrets/(?P<secret>{_NAME})(?:/(?P<version>[0-9a-fA-F]{{32}}))?/?$",
    re.IGNORECASE,
)
_ID = re.compile(
    rf"^(?P<vault_id>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.KeyVault/vaults/(?P<vault>{_VAULT}))"
    rf"/secrets/(?P<secret>{_NAME})(?:/versions/(?P<version>[0-9a-fA-F]{{32}}))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SecretReference:
    """One Key Vault secret, as a user wrote it."""

    text: str
    vault: str
    secret: str
    version: str | None = None
    vault_id: str | None = None
    """The vault's resource id when the text gave it; otherwise it is looked up by name."""


def parse_reference(text: str, parameter: str) -> SecretReference:
    """``text`` as a :class:`SecretReference`; a :class:`ParameterError` naming ``parameter`` otherwise."""
    for pattern in (_ID, _URI, _SHORT):
        match = pattern.match(text.strip())
        if match:
            found = match.groupdict()
            return SecretReference(text, found["vault"], found["secret"], found.get("version"), found.get("vault_id"))
    raise ParameterError(f"secret reference {text!r} of {parameter} is not {FORMS}",
                         hint="e.g. myvault/api-key (the vault needs enabledForTemplateDeployment: true)")


def template_references(body: Mapping[str, Any]) -> dict[str, str]:
    """Parameters of ``body`` whose metadata names a Key Vault secret: ``{parameter: reference text}``."""
    out: dict[str, str] = {}
    for name, decl in (body.get("parameters") or {}).items():
        metadata = decl.get("metadata") if isinstance(decl, Mapping) else None
        text = metadata.get(REFERENCE_KEY) if isinstance(metadata, Mapping) else None
        if isinstance(text, str) and text:
            out[str(name)] = text
    return out


class VaultLookup:
    """Turns references into ARM's parameter references, finding vaults by name once per run."""

    def __init__(self, resources: Any) -> None:
        self._resources = resources
        self._ids: dict[str, str] = {}

    def arm_reference(self, reference: SecretReference, parameter: str) -> dict[str, Any]:
        """``{"keyVault": {"id"}, "secretName", "secretVersion"?}`` for ``reference``."""
        body: dict[str, Any] = {"keyVault": {"id": reference.vault_id or self._vault_id(reference, parameter)},
                                "secretName": reference.secret}
        if reference.version:
            body["secretVersion"] = reference.version
        return body

    def _vault_id(self, reference: SecretReference, parameter: str) -> str:
        key = reference.vault.lower()
        if key not in self._ids:
            wanted = f"resourceType eq '{VAULT_TYPE}' and name eq '{reference.vault}'"
            with azure_errors(f"find Key Vault {reference.vault}"):
                found = [r for r in self._resources.resources.list(filter=wanted)
                         if str(r.name).lower() == key and str(r.type).lower() == VAULT_TYPE.lower()]
            if not found:
                raise ParameterError(
                    f"Key Vault {reference.vault!r} (secret reference of {parameter}) was not found in the "
                    "deployment's subscription",
                    hint="create the vault with enabledForTemplateDeployment: true and the secret, or give the "
                         "secret's full resource id (a vault of another subscription)",
                )
            self._ids[key] = str(found[0].id)
        return self._ids[key]
