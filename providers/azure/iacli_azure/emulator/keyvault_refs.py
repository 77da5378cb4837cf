"""Key Vault parameter references: ``{"reference": {"keyVault": {"id"}, "secretName", "secretVersion"?}}``.

ARM resolves them before a deployment, a validation or a what-if: the vault must exist
(``KeyVaultParameterReferenceNotFound``), allow template deployments
(``enabledForTemplateDeployment``, else ``KeyVaultParameterReferenceSecretRetrieveFailed``, Forbidden),
and hold the secret (the same code, NotFound).  The emulator keeps secrets as hashes only
(:mod:`.handlers.keyvault`), so a reference resolves to the stored hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ArmError
from .ids import parse_resource_id
from .state import EmulatorState

JsonDict = dict[str, Any]

VAULT_TYPE = "microsoft.keyvault/vaults"


def check_reference(name: str, entry: Any) -> JsonDict:
    """The ``reference`` member of parameter ``name``, checked for shape (``InvalidRequestContent``)."""
    reference = entry.get("reference") if isinstance(entry, Mapping) else None
    if not isinstance(reference, Mapping):
        reference = {}
    vault = reference.get("keyVault")
    vault_id = vault.get("id") if isinstance(vault, Mapping) else None
    secret = reference.get("secretName")
    if not isinstance(vault_id, str) or not isinstance(secret, str) or not secret:
        raise ArmError(
            "InvalidRequestContent",
            f"The Key Vault reference of parameter '{name}' must have 'keyVault.id' (the vault's resource id) "
            "and 'secretName'.",
        )
    version = reference.get("secretVersion")
    if version is not None and not isinstance(version, str):
        raise ArmError("InvalidRequestContent", f"The 'secretVersion' of parameter '{name}' must be a string.")
    return dict(reference)


def resolve_references(state: EmulatorState, references: Mapping[str, JsonDict]) -> dict[str, Any]:
    """The value of each referenced secret (its stored hash), by parameter name."""
    return {name: _resolve(state, name, reference) for name, reference in references.items()}


def _resolve(state: EmulatorState, name: str, reference: JsonDict) -> Any:
    vault_id = str(reference["keyVault"]["id"])
    parsed = parse_resource_id(vault_id)
    vault = state.resource(vault_id) if parsed is not None else None
    if vault is None or vault.type.casefold() != VAULT_TYPE:
        raise ArmError(
            "KeyVaultParameterReferenceNotFound",
            f"The specified KeyVault '{vault_id}' could not be found. Please see "
            "https://aka.ms/arm-keyvault for usage details.",
            target=name,
        )
    if vault.properties.get("enabledForTemplateDeployment") is not True:
        raise _retrieve_failed(
            name, "Forbidden",
            f"Access denied to first party service. The key vault '{vault.name}' does not allow template "
            "deployments (set its 'enabledForTemplateDeployment' to true).",
        )
    secret_name = str(reference["secretName"])
    secret = state.resource(f"{vault.id}/secrets/{secret_name}")
    if secret is None:
        raise _retrieve_failed(
            name, "NotFound",
            f"A secret with (name/id) {secret_name} was not found in this key vault.",
        )
    version = reference.get("secretVersion")
    uri = str(secret.properties.get("secretUriWithVersion") or "")
    if version and not uri.casefold().endswith("/" + str(version).casefold()):
        raise _retrieve_failed(
            name, "NotFound",
            f"A secret with (name/id) {secret_name}/{version} was not found in this key vault.",
        )
    return (secret.declared.get("properties") or {}).get("value")


def _retrieve_failed(name: str, status: str, message: str) -> ArmError:
    return ArmError(
        "KeyVaultParameterReferenceSecretRetrieveFailed",
        f"The secret of KeyVault parameter '{name}' cannot be retrieved. Http status code: '{status}'. "
        f"Error message: '{message}'. Please see https://aka.ms/arm-keyvault for usage details.",
        target=name,
    )
