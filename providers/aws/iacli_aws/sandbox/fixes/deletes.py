"""Fix (e): deleting a stack (or removing a resource in an update) really deletes, or says it cannot.

moto behaviour corrected:

- Resources whose moto model has neither an instance ``delete`` nor ``delete_from_cloudformation_json``
  are silently left behind (moto's ``_delete_resource`` falls through to a no-op). Deleters are added
  here (``DELETERS``): API Gateway Resource and Method; IAM ManagedPolicy; EC2 Route, RouteTable,
  SubnetRouteTableAssociation, InternetGateway, VPCGatewayAttachment, NatGateway, EIP, VPCEndpoint,
  Volume; ECS Cluster, Service, TaskDefinition (INACTIVE, as on AWS); ELBv2 TargetGroup, Listener,
  ListenerRule. Without the EC2 ones, deleting any stack with a route table fails with
  DependencyViolation on the VPC.
- A non-empty S3 bucket is "deleted" without error and stays (moto's ``delete_bucket`` returns None).
  It now fails the way AWS does: ``BucketNotEmpty``.
- A resource that is already gone (deleted outside the stack) fails the deletion; AWS treats it as
  deleted. Not-found errors are now ignored.
- When a deletion fails, moto has already removed the stack from its list: DescribeStacks says it does
  not exist while its remaining resources live on. The stack is now kept, in DELETE_FAILED, with the
  resources not yet deleted, and the error names the resource (once: moto deletes a stack given by
  name by calling itself with the stack id, which used to wrap the message twice); DeleteStack can be
  retried.

- Resources are deleted in no particular order (a set), each failure retried in a later pass; a
  deleter that meets a dependency already gone (a VPC endpoint whose route table was deleted first)
  gave up half-way, and the not-found error counted as success: the endpoint leaked. Resources are
  now deleted in reverse dependency order (dependents first, as CloudFormation does), still retried
  while others progress. ``DeletionPolicy: RetainExceptOnCreate`` was ignored (deleted); it now keeps
  the resource unless the stack's creation failed.

A stack whose creation failed part-way is deleted the same way: every resource created before the
failure is deleted (the sandbox's failure path; iacli deletes the stack after a failed create).

AutoScaling ScheduledAction and EFS AccessPoint are deleted by their sandbox models
(:mod:`iacli_aws.sandbox.models`). Still not deleted (moto has no delete and no deleter here; deleting
them is a no-op): Batch *, DataPipeline Pipeline, EC2 FlowLog/SecurityGroupIngress/SpotFleet/
TransitGateway/VPCPeeringConnection/VPNGateway/VolumeAttachment, EMR InstanceGroupConfig, Lambda
LayerVersion/Version, Redshift *, Route53 HealthCheck/HostedZone/RecordSetGroup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.apigateway.models import apigateway_backends
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.iam.models import iam_backends
from moto.s3.exceptions import BucketNotEmpty
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from ._patching import replace
from .errors import ResourceFailed, describe_error, is_not_found
from .graph import topological_order

Deleter = Callable[[Any, str, str], None]

# Statuses of a stack whose creation failed (the sandbox never rolls back by itself).
_FAILED_CREATE_STATUSES = frozenset({"CREATE_FAILED", "CREATE_IN_PROGRESS", "REVIEW_IN_PROGRESS"})
# Set on a stack's resource map while the stack is deleted: whether its creation had failed.
_CREATE_FAILED = "iacli_create_failed"


def _delete_bucket(bucket: Any, account_id: str, region_name: str) -> None:
    backend = s3_backends[account_id][get_partition(region_name)]
    if backend.get_bucket(bucket.name).keys:
        raise BucketNotEmpty(bucket.name)
    backend.delete_bucket(bucket.name)


def _delete_api_resource(resource: Any, account_id: str, region_name: str) -> None:
    api = apigateway_backends[account_id][region_name].apis.get(resource.api_id)
    if api is None:
        return
    doomed = {resource.id}
    while True:
        children = {rid for rid, r in api.resources.items() if r.parent_id in doomed} - doomed
        if not children:
            break
        doomed |= children
    for resource_id in doomed:
        api.resources.pop(resource_id, None)


def _delete_api_method(method: Any, account_id: str, region_name: str) -> None:
    for api in apigateway_backends[account_id][region_name].apis.values():
        for resource in api.resources.values():
            for name, candidate in list(resource.resource_methods.items()):
                if candidate is method:
                    resource.resource_methods.pop(name)


def _delete_managed_policy(policy: Any, account_id: str, region_name: str) -> None:
    backend = iam_backends[account_id][get_partition(region_name)]
    holders: list[Any] = [*backend.roles.values(), *backend.users.values(), *backend.groups.values()]
    for holder in holders:
        holder.managed_policies.pop(policy.arn, None)
    backend.managed_policies.pop(policy.arn, None)


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _delete_route(route: Any, account_id: str, region_name: str) -> None:
    cidr = route.destination_cidr_block or route.destination_ipv6_cidr_block
    _ec2(account_id, region_name).delete_route(route.route_table.id, cidr)


def _delete_route_table(table: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_route_table(table.id)


def _delete_subnet_association(association: Any, account_id: str, region_name: str) -> None:
    table = _ec2(account_id, region_name).get_route_table(association.route_table_id)
    for association_id, subnet_id in list(table._associations.items()):
        if subnet_id == association.subnet_id:
            table._associations.pop(association_id)


def _delete_internet_gateway(gateway: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_internet_gateway(gateway.id)


def _delete_gateway_attachment(attachment: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if str(attachment.gateway_id).startswith("igw-"):
        backend.detach_internet_gateway(attachment.gateway_id, attachment.vpc_id)
    else:
        backend.detach_vpn_gateway(attachment.gateway_id, attachment.vpc_id)


def _delete_nat_gateway(gateway: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_nat_gateway(gateway.id)


def _release_address(address: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if address.allocation_id:
        backend.release_address(allocation_id=address.allocation_id)
    else:
        backend.release_address(address=address.public_ip)


def _delete_ecs_cluster(cluster: Any, account_id: str, region_name: str) -> None:
    ecs_backends[account_id][region_name].delete_cluster(cluster.arn)


def _delete_ecs_service(service: Any, account_id: str, region_name: str) -> None:
    ecs_backends[account_id][region_name].delete_service(service.cluster_name, service.name, force=True)


def _deregister_task_definition(definition: Any, account_id: str, region_name: str) -> None:
    ecs_backends[account_id][region_name].deregister_task_definition(
        f"{definition.family}:{definition.revision}"
    )


def _delete_target_group(group: Any, account_id: str, region_name: str) -> None:
    elbv2_backends[account_id][region_name].delete_target_group(group.arn)


def _delete_listener(listener: Any, account_id: str, region_name: str) -> None:
    elbv2_backends[account_id][region_name].delete_listener(listener.arn)


def _delete_listener_rule(rule: Any, account_id: str, region_name: str) -> None:
    elbv2_backends[account_id][region_name].delete_rule(rule.arn)


def _delete_vpc_endpoint(endpoint: Any, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    # moto removes the endpoint's routes first and stops at a route table that is already gone.
    endpoint.route_table_ids = [rt for rt in endpoint.route_table_ids or [] if rt in backend.route_tables]
    backend.delete_vpc_endpoints([endpoint.id])


def _delete_volume(volume: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_volume(volume.id)


#: Deleters for moto models that cannot delete themselves, by CloudFormation type.
DELETERS: dict[str, Deleter] = {
    "AWS::S3::Bucket": _delete_bucket,
    "AWS::ApiGateway::Resource": _delete_api_resource,
    "AWS::ApiGateway::Method": _delete_api_method,
    "AWS::IAM::ManagedPolicy": _delete_managed_policy,
    "AWS::EC2::Route": _delete_route,
    "AWS::EC2::RouteTable": _delete_route_table,
    "AWS::EC2::SubnetRouteTableAssociation": _delete_subnet_association,
    "AWS::EC2::InternetGateway": _delete_internet_gateway,
    "AWS::EC2::VPCGatewayAttachment": _delete_gateway_attachment,
    "AWS::EC2::NatGateway": _delete_nat_gateway,
    "AWS::EC2::EIP": _release_address,
    "AWS::EC2::VPCEndpoint": _delete_vpc_endpoint,
    "AWS::EC2::Volume": _delete_volume,
    "AWS::ECS::Cluster": _delete_ecs_cluster,
    "AWS::ECS::Service": _delete_ecs_service,
    "AWS::ECS::TaskDefinition": _deregister_task_definition,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _delete_target_group,
    "AWS::ElasticLoadBalancingV2::Listener": _delete_listener,
    "AWS::ElasticLoadBalancingV2::ListenerRule": _delete_listener_rule,
}


def _deleting_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    def _delete_resource(self: ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        resource_type = getattr(parsed_resource, "cf_resource_type", None) or resource_json["Type"]
        logical_id = getattr(parsed_resource, "logical_resource_id", "?")
        try:
            deleter = DELETERS.get(resource_type)
            if deleter is not None:
                deleter(parsed_resource, self._account_id, self._region_name)
            else:
                original(self, parsed_resource, resource_json)
        except Exception as error:
            if is_not_found(error):
                return
            if isinstance(error, ResourceFailed):
                raise
            raise ResourceFailed(logical_id, resource_type, "delete", error) from error

    return _delete_resource


def _kept(resource_json: dict[str, Any], create_failed: bool) -> bool:
    """Whether the stack's deletion keeps this resource (its DeletionPolicy)."""
    policy = resource_json.get("DeletionPolicy")
    return policy == "Retain" or (policy == "RetainExceptOnCreate" and not create_failed)


def _ordered_delete(_original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: ResourceMap) -> None:
        resources = self._resource_json_map
        create_failed = bool(getattr(self, _CREATE_FAILED, False))
        remaining = [
            name
            for name in reversed(topological_order(resources))
            if not _kept(resources[name], create_failed)
        ]
        last_error: Exception | None = None
        while remaining:
            failed = []
            for name in remaining:
                resource = self._parsed_resources.get(name)
                if resource is None or isinstance(resource, str):
                    continue
                try:
                    self._delete_resource(resource, resources[name])
                except Exception as error:  # noqa: BLE001 - retried while others progress, then raised
                    last_error = error
                    failed.append(name)
                else:
                    self._parsed_resources.pop(name, None)
            if len(failed) == len(remaining):
                break
            remaining = failed
        if remaining and last_error is not None:
            raise last_error

    return delete


def _noting_failed_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: Stack) -> None:
        setattr(self.resource_map, _CREATE_FAILED, self.status in _FAILED_CREATE_STATUSES)
        original(self)

    return delete


def _find_stack(backend: CloudFormationBackend, name_or_stack_id: str) -> Any:
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_stack_id), None)


class StackDeleteFailed(ValidationError):
    """A stack could not be deleted; it is kept in DELETE_FAILED."""


def _keeping_failed_stacks(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        stack = _find_stack(self, name_or_stack_id)
        try:
            original(self, name_or_stack_id)
        except StackDeleteFailed:
            # moto deletes by name by calling itself with the stack id: the inner call has already
            # kept the stack and said why.
            raise
        except Exception as error:
            if stack is None:
                raise
            self.deleted_stacks.pop(stack.stack_id, None)
            self.stacks[stack.stack_id] = stack
            stack.status = "DELETE_FAILED"
            reason = describe_error(error)
            stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
            raise StackDeleteFailed(message=f"Stack {stack.name} could not be deleted: {reason}") from error

    return delete_stack


def apply() -> None:
    """Install the deletion behaviour described in the module docstring."""
    replace(ResourceMap, "_delete_resource", _deleting_resource)
    replace(ResourceMap, "delete", _ordered_delete)
    replace(Stack, "delete", _noting_failed_create)
    replace(CloudFormationBackend, "delete_stack", _keeping_failed_stacks)
