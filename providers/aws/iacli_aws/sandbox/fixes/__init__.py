"""Corrections to moto's CloudFormation so the sandbox tells the truth; server process only.

Each module corrects one documented moto behaviour (its docstring says which) and is tested in
``tests/aws_sandbox``:

- :mod:`.registry`    the sandbox models are the ones moto's parser uses (model precedence, caches)
- :mod:`.unsupported` (a) resources the sandbox cannot create are refused, naming the type
- :mod:`.updates`     (b) updates replace what cannot update, in dependency order, removals last
- :mod:`.changesets`  (c) executing a change set refreshes Outputs/exports; (d) change set contents
- :mod:`.deletes`     (e) deletion deletes (or fails in DELETE_FAILED), incl. EC2 networking
- :mod:`.errors`      (f) resource failures are CloudFormation errors naming the resource; FAILED status
- :mod:`.intrinsics`  (g) ``Fn::GetAZs`` resolves its argument and answers the region's zones
- :mod:`.ec2`         (h) security group rules without ports, VPC endpoints without a type
- :mod:`.elbv2`       (i) load balancers get SubnetMappings, Type, IpAddressType, Tags, attributes
- :mod:`.rds`         (j) engine names are case-insensitive
- :mod:`.parameters`  (k) SSM-typed stack parameters; public SSM parameters can be seeded
- :mod:`.properties`  (l) properties moto drops: Kinesis, ECS, ECR; LogGroup Arn
- :mod:`.dynamic_refs` (m) ``{{resolve:ssm:...}}`` / ``{{resolve:secretsmanager:...}}`` are resolved
- :mod:`.asg`         (n) Auto Scaling groups update in place; ECS ClusterSettings
- :mod:`.dependents`  (o) resources reading an updated resource (GetAtt, Ref) are updated too

Importing this package imports moto (and :mod:`iacli_aws.sandbox.models`); the iacli client side never
does. The patches are process-global, as moto's backends are; :func:`apply_fixes` is idempotent.
Other module-level state, all of it read-only or per-request: the cached CloudFormation resource
schemas (:mod:`.schemas`), the deleter table (:data:`.deletes.DELETERS`) and the context variable
holding the log of the stack update in progress (:mod:`.updates`).
"""

from __future__ import annotations

from . import (
    asg,
    changesets,
    deletes,
    dependents,
    dynamic_refs,
    ec2,
    elbv2,
    errors,
    intrinsics,
    parameters,
    properties,
    rds,
    registry,
    unsupported,
    updates,
)


def apply_fixes() -> None:
    """Register the sandbox models with moto and install every fix (safe to call more than once)."""
    registry.apply()
    unsupported.apply()
    updates.apply()
    changesets.apply()
    deletes.apply()
    errors.apply()
    intrinsics.apply()
    ec2.apply()
    elbv2.apply()
    rds.apply()
    parameters.apply()
    properties.apply()
    dynamic_refs.apply()
    asg.apply()
    dependents.apply()


__all__ = ["apply_fixes"]
