"""AWS::Cognito::UserPool, UserPoolClient and UserPoolDomain on moto's cognito-idp backend.

The CloudFormation properties of a user pool are, apart from a few, the CreateUserPool API parameters,
which is what moto's backend stores as the pool's "extended config".
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from ._base import Properties, SandboxResource, Target, as_bool, tag_dict

# CloudFormation-only properties of AWS::Cognito::UserPool, handled separately from the API config.
_POOL_CFN_ONLY = frozenset({"UserPoolName", "EnabledMfas", "UserPoolTags", "MfaConfiguration"})


def _backend(target: Target) -> CognitoIdpBackend:
    return cognitoidp_backends[target.account_id][target.region_name]


def _pool_config(properties: Properties) -> dict[str, Any]:
    config = {k: v for k, v in properties.items() if k not in _POOL_CFN_ONLY}
    if "UserPoolTags" in properties:
        config["UserPoolTags"] = tag_dict(properties["UserPoolTags"])
    if "MfaConfiguration" in properties:
        config["MfaConfiguration"] = properties["MfaConfiguration"]
    return config


def _apply_mfa(backend: CognitoIdpBackend, pool_id: str, properties: Properties) -> None:
    enabled = set(properties.get("EnabledMfas") or [])
    token = {"Enabled": True} if "SOFTWARE_TOKEN_MFA" in enabled else None
    sms = properties.get("SmsConfiguration") if "SMS_MFA" in enabled else None
    backend.set_user_pool_mfa_config(pool_id, sms, token, properties.get("MfaConfiguration", "OFF"))  # type: ignore[arg-type]


class CognitoUserPool(SandboxResource, CloudFormationModel):
    """AWS::Cognito::UserPool. Ref: pool id; GetAtt Arn, ProviderName, ProviderURL, UserPoolId."""

    CFN_TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    ATTRIBUTES = frozenset({"Arn", "ProviderName", "ProviderURL", "UserPoolId"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> CognitoUserPool:
        backend = _backend(target)
        pool = backend.create_user_pool(name, _pool_config(properties))
        _apply_mfa(backend, pool.id, properties)
        return cls(target, pool.id, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        pool = backend.describe_user_pool(self.physical_id)
        if "UserPoolName" in properties:
            pool.name = properties["UserPoolName"]
        backend.update_user_pool(self.physical_id, _pool_config(properties))
        _apply_mfa(backend, self.physical_id, properties)

    def remove(self) -> None:
        try:
            _backend(self.target).delete_user_pool(self.physical_id)
        except ResourceNotFoundError:
            pass

    def attribute(self, name: str) -> Any:
        provider = f"cognito-idp.{self.target.region_name}.amazonaws.com/{self.physical_id}"
        values = {
            "Arn": _backend(self.target).describe_user_pool(self.physical_id).arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": self.physical_id,
        }
        return values[name]


class CognitoUserPoolClient(SandboxResource, CloudFormationModel):
    """AWS::Cognito::UserPoolClient. Ref: client id; GetAtt ClientId, ClientSecret, Name."""

    CFN_TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = frozenset({"ClientId", "ClientSecret", "Name"})
    CREATE_ONLY = frozenset({"UserPoolId", "GenerateSecret"})

    @property
    def pool_id(self) -> str:
        return str(self.properties["UserPoolId"])

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> CognitoUserPoolClient:
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        client = _backend(target).create_user_pool_client(
            properties["UserPoolId"], as_bool(properties.get("GenerateSecret")), config
        )
        return cls(target, client.id, properties)

    def apply_update(self, properties: Properties) -> None:
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        _backend(self.target).update_user_pool_client(self.pool_id, self.physical_id, config)

    def remove(self) -> None:
        try:
            _backend(self.target).delete_user_pool_client(self.pool_id, self.physical_id)
        except ResourceNotFoundError:
            pass

    def attribute(self, name: str) -> Any:
        client = _backend(self.target).describe_user_pool_client(self.pool_id, self.physical_id)
        values = {
            "ClientId": client.id,
            "ClientSecret": client.secret if client.generate_secret else None,
            "Name": client.extended_config.get("ClientName"),
        }
        return values[name]


class CognitoUserPoolDomain(SandboxResource, CloudFormationModel):
    """AWS::Cognito::UserPoolDomain. Ref: the domain; GetAtt CloudFrontDistribution."""

    CFN_TYPE = "AWS::Cognito::UserPoolDomain"
    ATTRIBUTES = frozenset({"CloudFrontDistribution"})
    CREATE_ONLY = frozenset({"Domain", "UserPoolId"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> CognitoUserPoolDomain:
        domain = _backend(target).create_user_pool_domain(
            properties["UserPoolId"], properties["Domain"], properties.get("CustomDomainConfig")
        )
        return cls(target, domain.domain, properties)

    def apply_update(self, properties: Properties) -> None:
        _backend(self.target).update_user_pool_domain(
            self.physical_id, properties.get("CustomDomainConfig") or {}
        )

    def remove(self) -> None:
        try:
            _backend(self.target).delete_user_pool_domain(self.physical_id)
        except ResourceNotFoundError:
            pass

    def attribute(self, name: str) -> Any:
        domain = _backend(self.target).describe_user_pool_domain(self.physical_id)
        return domain.to_json()["CloudFrontDistribution"] if domain else None
