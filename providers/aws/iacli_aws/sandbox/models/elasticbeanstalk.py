"""AWS::ElasticBeanstalk::Application, Environment, ApplicationVersion and ConfigurationTemplate.

moto's elasticbeanstalk backend knows applications and environments only (and hard-codes most of an
environment's fields: solution stack "None", empty CNAME and endpoint). These models fill in what the
template says. moto has no application versions or configuration templates at all, and no API to read
them: the sandbox keeps them on moto's application object (``sandbox_versions``,
``sandbox_templates``) so that an environment can be checked against them: a version's source bundle
must exist in S3, and an environment's ``VersionLabel``/``TemplateName`` must name one of its
application's versions/templates. They cannot be listed through the AWS API.
"""

from __future__ import annotations

import string
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.elasticbeanstalk.exceptions import InvalidParameterValueError
from moto.elasticbeanstalk.models import Application, EBBackend, eb_backends
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

from ._base import Properties, SandboxResource, Target, physical_name, tag_dict


def _backend(target: Target) -> EBBackend:
    return eb_backends[target.account_id][target.region_name]


def _application(target: Target, name: str) -> Application:
    application = _backend(target).applications.get(name)
    if application is None:
        raise InvalidParameterValueError(f"No Application named '{name}' found.")
    return application


def _store(application: Application, kind: str) -> dict[str, Properties]:
    """The sandbox's store of ``kind`` ("versions" or "templates") on a moto application."""
    attribute = f"sandbox_{kind}"
    if not hasattr(application, attribute):
        setattr(application, attribute, {})
    store: dict[str, Properties] = getattr(application, attribute)
    return store


class ElasticBeanstalkApplication(SandboxResource, CloudFormationModel):
    """AWS::ElasticBeanstalk::Application. Ref: the application name."""

    CFN_TYPE = "AWS::ElasticBeanstalk::Application"
    NAME_PROPERTY = "ApplicationName"
    CREATE_ONLY = frozenset({"ApplicationName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElasticBeanstalkApplication:
        application = _backend(target).create_application(physical_name(name, 100))
        application.description = properties.get("Description", "")  # type: ignore[attr-defined]  # sandbox field
        return cls(target, application.application_name, properties)

    def apply_update(self, properties: Properties) -> None:
        application = _application(self.target, self.physical_id)
        application.description = properties.get("Description", "")  # type: ignore[attr-defined]  # sandbox field

    def remove(self) -> None:
        _backend(self.target).delete_application(self.physical_id)


class ElasticBeanstalkApplicationVersion(SandboxResource, CloudFormationModel):
    """AWS::ElasticBeanstalk::ApplicationVersion; its ``SourceBundle`` must exist in S3. Ref: the label."""

    CFN_TYPE = "AWS::ElasticBeanstalk::ApplicationVersion"
    CREATE_ONLY = frozenset({"ApplicationName", "SourceBundle"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElasticBeanstalkApplicationVersion:
        bundle = properties["SourceBundle"]
        if (
            s3_backends[target.account_id][target.partition].get_object(bundle["S3Bucket"], bundle["S3Key"])
            is None
        ):
            raise InvalidParameterValueError(
                f"Unable to download from S3 location (Bucket: {bundle['S3Bucket']}  Key: {bundle['S3Key']})."
            )
        label = physical_name(name, 100)
        _store(_application(target, properties["ApplicationName"]), "versions")[label] = properties
        return cls(target, label, properties)

    def apply_update(self, properties: Properties) -> None:
        _store(_application(self.target, properties["ApplicationName"]), "versions")[self.physical_id] = (
            properties
        )

    def remove(self) -> None:
        application = _backend(self.target).applications.get(self.properties["ApplicationName"])
        if application is not None:
            _store(application, "versions").pop(self.physical_id, None)


class ElasticBeanstalkConfigurationTemplate(SandboxResource, CloudFormationModel):
    """AWS::ElasticBeanstalk::ConfigurationTemplate. Ref: the template name."""

    CFN_TYPE = "AWS::ElasticBeanstalk::ConfigurationTemplate"
    CREATE_ONLY = frozenset(
        {"ApplicationName", "SolutionStackName", "PlatformArn", "EnvironmentId", "SourceConfiguration"}
    )

    @classmethod
    def create(
        cls, target: Target, name: str, properties: Properties
    ) -> ElasticBeanstalkConfigurationTemplate:
        template_name = physical_name(name, 100)
        _store(_application(target, properties["ApplicationName"]), "templates")[template_name] = properties
        return cls(target, template_name, properties)

    def apply_update(self, properties: Properties) -> None:
        _store(_application(self.target, properties["ApplicationName"]), "templates")[self.physical_id] = (
            properties
        )

    def remove(self) -> None:
        application = _backend(self.target).applications.get(self.properties["ApplicationName"])
        if application is not None:
            _store(application, "templates").pop(self.physical_id, None)


def _check_references(application: Application, properties: Properties) -> None:
    for key, kind in (("VersionLabel", "versions"), ("TemplateName", "templates")):
        if properties.get(key) and properties[key] not in _store(application, kind):
            raise InvalidParameterValueError(
                f"No {kind[:-1]} named '{properties[key]}' in application '{application.application_name}'."
            )


def _environment_id() -> str:
    return "e-" + "".join(mock_random.choice(string.ascii_lowercase + string.digits) for _ in range(10))


class ElasticBeanstalkEnvironment(SandboxResource, CloudFormationModel):
    """AWS::ElasticBeanstalk::Environment. Ref: environment name; GetAtt EndpointURL."""

    CFN_TYPE = "AWS::ElasticBeanstalk::Environment"
    NAME_PROPERTY = "EnvironmentName"
    ATTRIBUTES = frozenset({"EndpointURL"})
    CREATE_ONLY = frozenset({"ApplicationName", "CNAMEPrefix", "EnvironmentName", "Tier"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElasticBeanstalkEnvironment:
        application = _application(target, properties["ApplicationName"])
        _check_references(application, properties)
        env_name = physical_name(name, 40)
        environment = application.create_environment(
            env_name, properties.get("SolutionStackName", ""), tag_dict(properties.get("Tags"))
        )
        environment.environment_id = _environment_id()
        prefix = properties.get("CNAMEPrefix") or f"{env_name}-{environment.environment_id[2:8]}"
        environment.cname = f"{prefix}.{target.region_name}.elasticbeanstalk.com"
        environment.endpoint_url = (
            f"awseb-{environment.environment_id}.{target.region_name}.elb.amazonaws.com"
        )
        created = cls(target, env_name, properties)
        created.apply_update(properties)
        return created

    def apply_update(self, properties: Properties) -> None:
        application = _application(self.target, properties["ApplicationName"])
        _check_references(application, properties)
        environment = application.environments[self.physical_id]
        environment.solution_stack_name = properties.get("SolutionStackName") or properties.get(
            "PlatformArn", ""
        )
        environment.version_label = properties.get("VersionLabel")  # type: ignore[assignment]  # moto: int
        environment.description = properties.get("Description", "")  # type: ignore[attr-defined]  # sandbox field
        environment.option_settings = list(properties.get("OptionSettings", []))  # type: ignore[attr-defined]
        if properties.get("Tier"):
            environment.tier = {**environment.tier, **properties["Tier"]}

    def remove(self) -> None:
        application = _backend(self.target).applications.get(self.properties["ApplicationName"])
        if application is not None:
            application.environments.pop(self.physical_id, None)

    def attribute(self, name: str) -> Any:
        application = _application(self.target, self.properties["ApplicationName"])
        return application.environments[self.physical_id].endpoint_url
