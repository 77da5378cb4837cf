"""Fix (l): properties moto's CloudFormation models drop, and one wrong attribute.

moto behaviour corrected:

- ``AWS::Logs::LogGroup`` ``GetAtt Arn`` lacks the trailing ``:*`` CloudFormation gives
  (``arn:aws:logs:<region>:<account>:log-group:<name>:*``); it now has it.
- ``AWS::Kinesis::Stream`` ignores ``StreamEncryption`` (DescribeStream says ``NONE``) and
  ``StreamModeDetails`` (always PROVISIONED); both are now applied on create and update.
- ``AWS::ECS::TaskDefinition`` registers only family, containers, volumes and memory: ``Cpu``,
  ``NetworkMode`` (reads "bridge"), ``RequiresCompatibilities``, ``ExecutionRoleArn``, ``TaskRoleArn``,
  ``RuntimePlatform``, ``PlacementConstraints``, ``ProxyConfiguration``, ``IpcMode``, ``PidMode``,
  ``EphemeralStorage`` and ``Tags`` are now registered too. (Every property of a task definition is
  create-only: a change registers a new revision, through this same create.)
- ``AWS::ECS::Service`` creates the service with cluster, name, task definition and count only:
  ``LaunchType`` (reads EC2), ``LoadBalancers`` and ``NetworkConfiguration`` (empty),
  ``PlatformVersion``, ``PropagateTags``, ``DeploymentController``, ``ServiceRegistries``,
  ``SchedulingStrategy``, ``Role`` and ``Tags`` are now passed; an update keeps load balancers and
  network configuration in step with the template.
- ``AWS::ECR::Repository`` passes ``EncryptionConfiguration`` and ``ImageScanningConfiguration`` with
  the template's PascalCase keys, which the API answers as empty; ``LifecyclePolicy`` and
  ``RepositoryPolicyText`` are ignored. They are now stored as the API stores them (on update too,
  which moto's update needs to see an unchanged encryption as unchanged). A generated repository name
  (no ``RepositoryName``) was mixed case, which ECR refuses; it is now lower case.
- ``AWS::SSM::Parameter`` without ``Name`` failed to create (moto passes ``Name: None`` to PutParameter);
  it now gets the generated physical name, as CloudFormation names it, and keeps that name when its
  value changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ecr.models import Repository, ecr_backends
from moto.ecs.models import Cluster, Service, TaskDefinition, ecs_backends
from moto.kinesis.models import Stream, kinesis_backends
from moto.logs.models import LogGroup
from moto.ssm.models import Parameter as SsmParameter

from ..models._base import camel_keys, json_text, tag_list
from ._patching import replace


def _log_group_arn(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_cfn_attribute(self: LogGroup, attribute_name: str) -> Any:
        value = original(self, attribute_name)
        return f"{value}:*" if attribute_name == "Arn" and not str(value).endswith(":*") else value

    return get_cfn_attribute


# --- Kinesis ------------------------------------------------------------------------------------------
def apply_stream_settings(
    stream: Stream, properties: dict[str, Any], account_id: str, region_name: str
) -> None:
    """Set the stream's encryption and capacity mode as the template says."""
    backend = kinesis_backends[account_id][region_name]
    encryption = properties.get("StreamEncryption")
    if encryption:
        backend.start_stream_encryption(
            stream.arn, stream.stream_name, str(encryption["EncryptionType"]), str(encryption["KeyId"])
        )
    elif stream.encryption_type != "NONE":
        backend.stop_stream_encryption(stream.arn, stream.stream_name)
    mode = (properties.get("StreamModeDetails") or {}).get("StreamMode") or "PROVISIONED"
    backend.update_stream_mode(stream.arn, {"StreamMode": str(mode)})


def _creating_stream(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[Stream],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Stream:
        stream: Stream = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        apply_stream_settings(stream, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return stream

    return classmethod(create_from_cloudformation_json)


def _updating_stream(original: Any) -> Any:
    update = original.__func__

    def update_from_cloudformation_json(
        cls: type[Stream],
        /,
        original_resource: Stream,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Stream:
        # the mode first: moto refuses a shard count for an on-demand stream
        mode = ((cloudformation_json.get("Properties") or {}).get("StreamModeDetails") or {}).get(
            "StreamMode"
        )
        kinesis_backends[account_id][region_name].update_stream_mode(
            original_resource.arn, {"StreamMode": str(mode or "PROVISIONED")}
        )
        stream: Stream = update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        apply_stream_settings(stream, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return stream

    return classmethod(update_from_cloudformation_json)


# --- ECS ----------------------------------------------------------------------------------------------
def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _registering_task_definition(_original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: type[TaskDefinition],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> TaskDefinition:
        properties = cloudformation_json.get("Properties") or {}
        family = properties.get("Family") or resource_name
        opaque = frozenset({"Options", "DockerLabels", "DriverOpts", "Labels"})
        return ecs_backends[account_id][region_name].register_task_definition(
            family=str(family),
            container_definitions=camel_keys(properties.get("ContainerDefinitions", []), opaque),
            volumes=camel_keys(properties.get("Volumes", []), opaque),
            network_mode=properties.get("NetworkMode"),
            tags=[{"key": t["Key"], "value": t["Value"]} for t in tag_list(properties.get("Tags"))],
            placement_constraints=camel_keys(properties.get("PlacementConstraints")),
            requires_compatibilities=properties.get("RequiresCompatibilities"),
            cpu=_optional_str(properties.get("Cpu")),
            memory=_optional_str(properties.get("Memory")),
            task_role_arn=properties.get("TaskRoleArn"),
            execution_role_arn=properties.get("ExecutionRoleArn"),
            proxy_configuration=camel_keys(properties.get("ProxyConfiguration")),
            inference_accelerators=camel_keys(properties.get("InferenceAccelerators")),
            runtime_platform=camel_keys(properties.get("RuntimePlatform")),
            ipc_mode=properties.get("IpcMode"),
            pid_mode=properties.get("PidMode"),
            ephemeral_storage=camel_keys(properties.get("EphemeralStorage")),
        )

    return classmethod(create_from_cloudformation_json)


def _name(value: Any, kind: type) -> str:
    if isinstance(value, kind):
        return str(value.family if isinstance(value, TaskDefinition) else value.name)  # type: ignore[attr-defined]
    return str(value)


def _service_settings(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "load_balancers": camel_keys(properties.get("LoadBalancers") or []),
        "network_configuration": camel_keys(properties.get("NetworkConfiguration")),
    }


def _creating_service(_original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: type[Service],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Service:
        properties = cloudformation_json.get("Properties") or {}
        desired = properties.get("DesiredCount")
        return ecs_backends[account_id][region_name].create_service(
            _name(properties.get("Cluster", "default"), Cluster),
            resource_name,
            int(desired) if desired is not None else None,  # type: ignore[arg-type]
            task_definition_str=_name(properties["TaskDefinition"], TaskDefinition),
            scheduling_strategy=properties.get("SchedulingStrategy"),
            tags=[{"key": t["Key"], "value": t["Value"]} for t in tag_list(properties.get("Tags"))],
            deployment_controller=camel_keys(properties.get("DeploymentController")),
            launch_type=properties.get("LaunchType"),
            service_registries=camel_keys(properties.get("ServiceRegistries")),
            platform_version=properties.get("PlatformVersion"),
            propagate_tags=properties.get("PropagateTags") or "NONE",
            role_arn=properties.get("Role"),
            **_service_settings(properties),
        )

    return classmethod(create_from_cloudformation_json)


def _updating_service(original: Any) -> Any:
    update = original.__func__

    def update_from_cloudformation_json(
        cls: type[Service],
        /,
        original_resource: Service,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Service:
        service: Service = update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        for name, value in _service_settings(cloudformation_json.get("Properties") or {}).items():
            setattr(service, name, value)
        return service

    return classmethod(update_from_cloudformation_json)


# --- ECR ----------------------------------------------------------------------------------------------
def _camel_repository(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    properties = dict(cloudformation_json.get("Properties") or {})
    for key in ("EncryptionConfiguration", "ImageScanningConfiguration"):
        if properties.get(key):
            properties[key] = camel_keys(properties[key])
    return {**cloudformation_json, "Properties": properties}


def _apply_repository_policies(
    repository: Any, properties: dict[str, Any], account_id: str, region_name: str
) -> None:
    backend = ecr_backends[account_id][region_name]
    lifecycle = (properties.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if lifecycle:
        backend.put_lifecycle_policy(repository.registry_id, repository.name, json_text(lifecycle))
    if properties.get("RepositoryPolicyText"):
        backend.set_repository_policy(
            repository.registry_id, repository.name, json_text(properties["RepositoryPolicyText"])
        )


def _creating_repository(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[Any],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        camel = _camel_repository(cloudformation_json)
        if not camel["Properties"].get("RepositoryName"):
            resource_name = resource_name.lower()  # a generated name, lower case as ECR requires
        repository = create(cls, resource_name, camel, account_id, region_name, **kwargs)
        _apply_repository_policies(repository, camel["Properties"], account_id, region_name)
        return repository

    return classmethod(create_from_cloudformation_json)


def _updating_repository(original: Any) -> Any:
    update = original.__func__

    def update_from_cloudformation_json(
        cls: type[Any],
        /,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        camel = _camel_repository(cloudformation_json)
        if not camel["Properties"].get("RepositoryName"):
            new_resource_name = original_resource.name  # moto would make up a new name and replace
        repository = update(cls, original_resource, new_resource_name, camel, account_id, region_name)
        _apply_repository_policies(repository, camel["Properties"], account_id, region_name)
        return repository

    return classmethod(update_from_cloudformation_json)


def _with_name(cloudformation_json: dict[str, Any], name: str) -> dict[str, Any]:
    properties = dict(cloudformation_json.get("Properties") or {})
    if not properties.get("Name"):
        properties["Name"] = name
    return {**cloudformation_json, "Properties": properties}


def _creating_parameter(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[Any], /, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        named = _with_name(cloudformation_json, resource_name)  # a generated name when the template gives none
        return create(cls, resource_name, named, account_id, region_name, **kwargs)

    return classmethod(create_from_cloudformation_json)


def _updating_parameter(original: Any) -> Any:
    update = original.__func__

    def update_from_cloudformation_json(
        cls: type[Any], /, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> Any:
        if not (cloudformation_json.get("Properties") or {}).get("Name"):
            new_resource_name = original_resource.name  # a generated name is kept, as on AWS
        return update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)

    return classmethod(update_from_cloudformation_json)


def apply() -> None:
    """Install the corrections described in the module docstring."""
    replace(SsmParameter, "create_from_cloudformation_json", _creating_parameter)
    replace(SsmParameter, "update_from_cloudformation_json", _updating_parameter)
    replace(LogGroup, "get_cfn_attribute", _log_group_arn)
    replace(Stream, "create_from_cloudformation_json", _creating_stream)
    replace(Stream, "update_from_cloudformation_json", _updating_stream)
    replace(TaskDefinition, "create_from_cloudformation_json", _registering_task_definition)
    replace(Service, "create_from_cloudformation_json", _creating_service)
    replace(Service, "update_from_cloudformation_json", _updating_service)
    replace(Repository, "create_from_cloudformation_json", _creating_repository)
    replace(Repository, "update_from_cloudformation_json", _updating_repository)
