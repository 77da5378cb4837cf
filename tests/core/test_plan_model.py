from __future__ import annotations

import json

from iacli.plan import Change, ChangeAction, Plan, PropertyChange, Risk


def test_plan_round_trips_through_json() -> None:
    plan = Plan(
        stack="s-dev",
        provider="aws",
        target="sandbox:us-east-1",
        changes=(
            Change("Fn", "AWS::Lambda::Function", ChangeAction.UPDATE, (PropertyChange("MemorySize", 256, 512),)),
            Change("T", "AWS::DynamoDB::Table", ChangeAction.REPLACE, risks=frozenset({Risk.DATA_LOSS})),
            Change("B", "AWS::S3::Bucket", ChangeAction.NOOP),
        ),
        template_hash="t",
        params_hash="p",
        provider_ref={"change_set_id": "arn"},
    )
    data = json.loads(json.dumps(plan.to_dict()))
    assert Plan.from_dict(data) == plan
    assert data["summary"] == {"create": 0, "update": 1, "replace": 1, "delete": 0, "noop": 1, "unknown": 0}
    assert plan.has_changes and plan.risks == {Risk.DATA_LOSS}


def test_all_noop_plan_has_no_changes() -> None:
    plan = Plan("s", "aws", "sandbox", (Change("B", "AWS::S3::Bucket", ChangeAction.NOOP),), "t", "p")
    assert not plan.has_changes
