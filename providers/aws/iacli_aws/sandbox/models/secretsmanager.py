"""AWS::SecretsManager::Secret on moto's Secrets Manager backend (moto has no CloudFormation model for it).

The secret holds ``SecretString``, or a value generated as ``GenerateSecretString`` says: a random
password (``PasswordLength``, default 32; ``ExcludeCharacters``, ``ExcludeNumbers``,
``ExcludePunctuation``, ``ExcludeUppercase``, ``ExcludeLowercase``, ``IncludeSpace``,
``RequireEachIncludedType``), alone or put under ``GenerateStringKey`` into the JSON object
``SecretStringTemplate``. ``Ref`` and ``GetAtt Id`` are the secret's ARN. An update changes the
description, KMS key and tags in place and stores a new version when the value's definition changed (a
changed ``GenerateSecretString`` generates a new value, as on AWS); a new ``Name`` replaces the secret.
Deleting the stack deletes the secret without a recovery window.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends
from moto.secretsmanager.utils import random_password

from ._base import Properties, SandboxResource, Target, as_bool, as_int, tag_dict, tag_list

_DEFAULT_PASSWORD_LENGTH = 32


def _backend(target: Target) -> SecretsManagerBackend:
    return secretsmanager_backends[target.account_id][target.region_name]


def generated_secret_string(spec: dict[str, Any]) -> str:
    """The value of a secret created with ``GenerateSecretString`` ``spec``."""
    password = random_password(
        as_int(spec.get("PasswordLength")) or _DEFAULT_PASSWORD_LENGTH,
        str(spec.get("ExcludeCharacters") or ""),
        as_bool(spec.get("ExcludeNumbers")),
        as_bool(spec.get("ExcludePunctuation")),
        as_bool(spec.get("ExcludeUppercase")),
        as_bool(spec.get("ExcludeLowercase")),
        as_bool(spec.get("IncludeSpace")),
        as_bool(spec.get("RequireEachIncludedType"), default=True),
    )
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if template is None and key is None:
        return password
    if template is None or key is None:
        raise ValueError("GenerateSecretString: SecretStringTemplate and GenerateStringKey go together")
    document = json.loads(template) if isinstance(template, str) else dict(template)
    if not isinstance(document, dict):
        raise TypeError("GenerateSecretString: SecretStringTemplate must be a JSON object")
    document[str(key)] = password
    return json.dumps(document)


def _secret_string(properties: Properties) -> str | None:
    if properties.get("SecretString") is not None and properties.get("GenerateSecretString") is not None:
        raise ValueError("SecretString and GenerateSecretString are mutually exclusive")
    if properties.get("SecretString") is not None:
        return str(properties["SecretString"])
    return generated_secret_string(dict(properties.get("GenerateSecretString") or {}))


class SecretsManagerSecret(SandboxResource, CloudFormationModel):
    """AWS::SecretsManager::Secret. Ref: the secret's ARN; GetAtt Id (the ARN)."""

    CFN_TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = frozenset({"Id"})
    CREATE_ONLY = frozenset({"Name"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> SecretsManagerSecret:
        backend = _backend(target)
        backend.create_secret(
            name=name,
            secret_string=_secret_string(properties),
            secret_binary=None,
            description=properties.get("Description"),
            tags=tag_list(properties.get("Tags")) or None,
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(target, str(backend.describe_secret(name).arn), properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        value_changed = any(
            self.properties.get(key) != properties.get(key)
            for key in ("SecretString", "GenerateSecretString")
        )
        backend.update_secret(
            self.physical_id,
            secret_string=_secret_string(properties) if value_changed else None,
            client_request_token=str(uuid.uuid4()),  # as the SDKs fill it in
            kms_key_id=properties.get("KmsKeyId"),
            description=properties.get("Description"),
        )
        old, new = tag_dict(self.properties.get("Tags")), tag_dict(properties.get("Tags"))
        if set(old) - set(new):
            backend.untag_resource(self.physical_id, sorted(set(old) - set(new)))
        if new:
            backend.tag_resource(self.physical_id, new)

    def remove(self) -> None:
        backend = _backend(self.target)
        if self.physical_id in backend.secrets:
            backend.delete_secret(
                self.physical_id, recovery_window_in_days=None, force_delete_without_recovery=True
            )

    def attribute(self, name: str) -> Any:
        return self.physical_id
