"""AWS::CloudFront::Distribution and AWS::CloudFront::OriginAccessControl on moto's cloudfront backend.

CloudFormation writes a distribution config with plain lists (``Aliases: [a, b]``); the CloudFront API,
and so moto's backend, wants ``{"Quantity": n, "Items": [...]}`` and a few renamed keys. The functions
below translate one shape into the other.
"""

from __future__ import annotations

from typing import Any

from moto.cloudfront.exceptions import NoSuchDistribution
from moto.cloudfront.models import CloudFrontBackend, cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random

from ._base import Properties, SandboxResource, Target, tag_list

_VIEWER_CERTIFICATE_KEYS = {
    "AcmCertificateArn": "ACMCertificateArn",
    "IamCertificateId": "IAMCertificateId",
    "SslSupportMethod": "SSLSupportMethod",
}


def _backend(target: Target) -> CloudFrontBackend:
    return cloudfront_backends[target.account_id][target.partition]


def _items(values: list[Any] | None) -> dict[str, Any]:
    items = list(values or [])
    return {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}


def _allowed_methods(behavior: dict[str, Any]) -> dict[str, Any]:
    allowed = behavior.get("AllowedMethods") or ["GET", "HEAD"]
    cached = behavior.get("CachedMethods") or ["GET", "HEAD"]
    return {**_items(allowed), "CachedMethods": _items(cached)}


def _forwarded_values(values: dict[str, Any]) -> dict[str, Any]:
    cookies = dict(values.get("Cookies") or {"Forward": "none"})
    if "WhitelistedNames" in cookies:
        cookies["WhitelistedNames"] = _items(cookies["WhitelistedNames"])
    converted = {"QueryString": values.get("QueryString", False), "Cookies": cookies}
    for key in ("Headers", "QueryStringCacheKeys"):
        if key in values:
            converted[key] = _items(values[key])
    return converted


def cache_behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation (Default)CacheBehavior as the CloudFront API shape."""
    converted = {k: v for k, v in behavior.items() if k not in ("CachedMethods",)}
    converted["AllowedMethods"] = _allowed_methods(behavior)
    if "ForwardedValues" in behavior:
        converted["ForwardedValues"] = _forwarded_values(behavior["ForwardedValues"])
    for key in ("TrustedSigners", "TrustedKeyGroups"):
        if key in behavior:
            converted[key] = {"Enabled": bool(behavior[key]), **_items(behavior[key])}
    for key in ("FunctionAssociations", "LambdaFunctionAssociations"):
        if key in behavior:
            converted[key] = _items(behavior[key])
    return converted


def origin(spec: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation Origin as the CloudFront API shape."""
    converted = {k: v for k, v in spec.items() if k not in ("OriginCustomHeaders", "CustomOriginConfig")}
    converted["CustomHeaders"] = _items(spec.get("OriginCustomHeaders"))
    if "CustomOriginConfig" in spec:
        custom = dict(spec["CustomOriginConfig"])
        custom["OriginSslProtocols"] = _items(custom.pop("OriginSSLProtocols", ["TLSv1.2"]))
        converted["CustomOriginConfig"] = custom
    return converted


def _restrictions(restrictions: dict[str, Any]) -> dict[str, Any]:
    geo = restrictions.get("GeoRestriction") or {"RestrictionType": "none"}
    return {"GeoRestriction": {"RestrictionType": geo["RestrictionType"], **_items(geo.get("Locations"))}}


def _viewer_certificate(certificate: dict[str, Any]) -> dict[str, Any]:
    return {_VIEWER_CERTIFICATE_KEYS.get(k, k): v for k, v in certificate.items()}


def distribution_config(config: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """A CloudFormation DistributionConfig as the CloudFront API DistributionConfig."""
    converted: dict[str, Any] = {
        "CallerReference": caller_reference,
        "Comment": config.get("Comment", ""),
        "Enabled": config.get("Enabled", True),
        "Aliases": _items(config.get("Aliases") or config.get("CNAMEs")),
        "Origins": _items([origin(o) for o in config.get("Origins", [])]),
        "DefaultCacheBehavior": cache_behavior(config["DefaultCacheBehavior"]),
        "CacheBehaviors": _items([cache_behavior(b) for b in config.get("CacheBehaviors", [])]),
        "CustomErrorResponses": _items(config.get("CustomErrorResponses")),
        "Restrictions": _restrictions(config.get("Restrictions") or {}),
    }
    for key in (
        "DefaultRootObject",
        "PriceClass",
        "HttpVersion",
        "WebACLId",
        "OriginGroups",
        "ContinuousDeploymentPolicyId",
        "Staging",
    ):
        if key in config:
            converted[key] = config[key]
    if "IPV6Enabled" in config:
        converted["IsIPV6Enabled"] = config["IPV6Enabled"]
    if "ViewerCertificate" in config:
        converted["ViewerCertificate"] = _viewer_certificate(config["ViewerCertificate"])
    if "Logging" in config:
        converted["Logging"] = {"Enabled": True, "IncludeCookies": False, "Prefix": "", **config["Logging"]}
    return converted


def keep_origin_access_controls(dist: Any, config: dict[str, Any]) -> None:
    """moto's Origin drops ``OriginAccessControlId``; put it back on the backend's origin objects.

    ``config`` is the template's DistributionConfig (moto turns the API config's origins into objects).
    """
    wanted = {o["Id"]: o.get("OriginAccessControlId") for o in config.get("Origins", [])}
    for item in dist.distribution_config.Origins["Items"]:
        if wanted.get(item.id):
            item.origin_access_control_id = wanted[item.id]


class CloudFrontDistribution(SandboxResource, CloudFormationModel):
    """AWS::CloudFront::Distribution. Ref: distribution id; GetAtt DomainName, Id. Updates in place."""

    CFN_TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = frozenset({"DomainName", "Id"})

    def __init__(self, target: Target, physical_id: str, properties: Properties, caller_reference: str):
        super().__init__(target, physical_id, properties)
        self.caller_reference = caller_reference

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> CloudFrontDistribution:
        caller_reference = str(mock_random.uuid4())
        config = distribution_config(properties["DistributionConfig"], caller_reference)
        dist, _, _ = _backend(target).create_distribution_with_tags(config, tag_list(properties.get("Tags")))
        keep_origin_access_controls(dist, properties["DistributionConfig"])
        return cls(target, dist.distribution_id, properties, caller_reference)

    def apply_update(self, properties: Properties) -> None:
        config = distribution_config(properties["DistributionConfig"], self.caller_reference)
        dist, _, _ = _backend(self.target).update_distribution(config, self.physical_id, if_match=True)
        keep_origin_access_controls(dist, properties["DistributionConfig"])

    def remove(self) -> None:
        try:
            _backend(self.target).delete_distribution(self.physical_id, if_match=True)
        except NoSuchDistribution:
            pass

    def attribute(self, name: str) -> Any:
        if name == "Id":
            return self.physical_id
        dist, _ = _backend(self.target).get_distribution(self.physical_id)
        return dist.domain_name


class CloudFrontOriginAccessControl(SandboxResource, CloudFormationModel):
    """AWS::CloudFront::OriginAccessControl. Ref and GetAtt Id: the control id. Updates in place."""

    CFN_TYPE = "AWS::CloudFront::OriginAccessControl"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> CloudFrontOriginAccessControl:
        control = _backend(target).create_origin_access_control(dict(properties["OriginAccessControlConfig"]))
        return cls(target, control.id, properties)

    def apply_update(self, properties: Properties) -> None:
        _backend(self.target).update_origin_access_control(
            self.physical_id, dict(properties["OriginAccessControlConfig"])
        )

    def remove(self) -> None:
        _backend(self.target).origin_access_controls.pop(self.physical_id, None)

    def attribute(self, name: str) -> Any:
        return self.physical_id
