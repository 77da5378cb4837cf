from __future__ import annotations

from typing import Any

from iacli_aws.changes import build_changes
from iacli_aws.diff import diff_templates
from iacli_aws.schemas import create_only_properties, forces_replacement

from iacli.plan import ChangeAction, Risk


def template(**resources: Any) -> dict[str, Any]:
    return {"Resources": resources}


FN = {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 256, "FunctionName": "f", "Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
TABLE = {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Ref": "Name"}, "BillingMode": "PAY_PER_REQUEST"}}


def changes(old: dict[str, Any], new: dict[str, Any], old_p: dict[str, Any] | None = None,
            new_p: dict[str, Any] | None = None, cs: dict[str, Any] | None = None, secrets: frozenset[str] = frozenset()):
    diffs = diff_templates(old, old_p or {}, new, new_p or {}, secrets)
    return {c.logical_id: c for c in build_changes(cs or {}, diffs, old, new, {})}


def test_schema_create_only_properties_come_from_cfn_lint() -> None:
    assert ("TableName",) in create_only_properties("AWS::DynamoDB::Table")
    assert forces_replacement("AWS::Lambda::Function", ("FunctionName",))
    assert not forces_replacement("AWS::Lambda::Function", ("MemorySize",))
    assert create_only_properties("Custom::Thing") == ()


def test_memory_change_is_an_update_with_before_and_after() -> None:
    new_fn = {**FN, "Properties": {**FN["Properties"], "MemorySize": 512}}
    result = changes(template(Fn=FN), template(Fn=new_fn))
    fn = result["Fn"]
    assert fn.action is ChangeAction.UPDATE
    assert [(p.path, p.before, p.after, p.forces_replacement) for p in fn.properties] == [("MemorySize", 256, 512, False)]


def test_parameter_change_replaces_table_and_flags_data_loss() -> None:
    result = changes(template(T=TABLE), template(T=TABLE), {"Name": "a"}, {"Name": "b"})
    table = result["T"]
    assert table.action is ChangeAction.REPLACE
    assert table.properties[0].path == "TableName" and table.properties[0].forces_replacement
    assert Risk.DATA_LOSS in table.risks


def test_retained_table_delete_is_not_data_loss() -> None:
    kept = {**TABLE, "DeletionPolicy": "Retain"}
    assert Risk.DATA_LOSS not in changes(template(T=kept), template(Fn=FN), {"Name": "a"})["T"].risks
    assert Risk.DATA_LOSS in changes(template(T=TABLE), template(Fn=FN), {"Name": "a"})["T"].risks


def test_create_delete_and_noop() -> None:
    result = changes(template(Fn=FN, T=TABLE), template(Fn=FN, Q={"Type": "AWS::SQS::Queue", "Properties": {}}))
    assert result["Fn"].action is ChangeAction.NOOP
    assert result["T"].action is ChangeAction.DELETE
    assert result["Q"].action is ChangeAction.CREATE


def test_reference_to_replaced_resource_is_an_update() -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "a", "AssumeRolePolicyDocument": {}}}
    new_role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "b", "AssumeRolePolicyDocument": {}}}
    result = changes(template(Role=role, Fn=FN), template(Role=new_role, Fn=FN))
    assert result["Role"].action is ChangeAction.REPLACE and Risk.SECURITY in result["Role"].risks
    assert result["Fn"].action is ChangeAction.UPDATE and "Role" in (result["Fn"].reason or "")


def test_secret_parameter_values_are_masked() -> None:
    db = {"Type": "AWS::RDS::DBInstance", "Properties": {"MasterUserPassword": {"Ref": "Pw"}, "DBInstanceClass": "db.t3.micro"}}
    new_db = {**db, "Properties": {**db["Properties"], "DBInstanceClass": {"Fn::Sub": "${Pw}-x"}}}
    result = changes(template(D=db), template(D=new_db), {"Pw": "old-secret"}, {"Pw": "new-secret"}, secrets=frozenset({"Pw"}))
    text = repr(result["D"].to_dict())
    assert "secret" not in text.replace("sensitive", "")
    assert result["D"].properties[0].sensitive


def test_change_set_details_without_property_diff() -> None:
    cs = {"Fn": {"Action": "Modify", "Replacement": "Conditional", "Details": [{"ChangeSource": "DirectModification"}]}}
    assert changes(template(Fn=FN), template(Fn=FN), cs=cs)["Fn"].action is ChangeAction.UNKNOWN
    cs = {"Fn": {"Action": "Modify", "Replacement": "False", "Details": [{"ChangeSource": "ResourceAttribute"}]}}
    fn = changes(template(Fn=FN), template(Fn=FN), cs=cs)["Fn"]
    assert fn.action is ChangeAction.UPDATE and "ResourceAttribute" in (fn.reason or "")
    # moto answers Modify with no details for unchanged resources: that is no change
    assert changes(template(Fn=FN), template(Fn=FN), cs={"Fn": {"Action": "Modify"}})["Fn"].action is ChangeAction.NOOP


def test_open_security_group_is_public() -> None:
    sg = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp"}]}}
    result = changes(template(), template(SG=sg))
    assert {Risk.PUBLIC, Risk.SECURITY} <= result["SG"].risks


def test_template_defaults_are_the_values_in_use() -> None:
    old = {"Parameters": {"Size": {"Type": "Number", "Default": 5}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Ref": "Size"}}}}}
    assert changes(old, old, {"Size": "5"}, {})["Q"].action is ChangeAction.NOOP
    assert changes(old, old, {"Size": "5"}, {"Size": "7"})["Q"].properties[0].after == "7"


def test_egress_to_anywhere_is_not_public_and_noop_has_no_risk() -> None:
    sg = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp"}]}}
    assert Risk.PUBLIC not in changes(template(), template(SG=sg))["SG"].risks
    open_sg = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp"}]}}
    assert changes(template(SG=open_sg), template(SG=open_sg))["SG"].risks == frozenset()


def test_named_list_items_pair_by_name_not_index() -> None:
    env = {"Type": "AWS::ElasticBeanstalk::Environment", "Properties": {"OptionSettings": [
        {"Namespace": "aws:autoscaling:asg", "OptionName": "MinSize", "Value": "1"},
        {"Namespace": "aws:autoscaling:asg", "OptionName": "MaxSize", "Value": "4"}]}}
    new = {"Type": env["Type"], "Properties": {"OptionSettings": [
        {"Namespace": "aws:autoscaling:asg", "OptionName": "MaxSize", "Value": "6"},
        {"Namespace": "aws:autoscaling:asg", "OptionName": "MinSize", "Value": "1"}]}}
    [prop] = changes(template(E=env), template(E=new))["E"].properties
    assert (prop.path, prop.before, prop.after) == ("OptionSettings.[aws:autoscaling:asg/MaxSize].Value", "4", "6")
