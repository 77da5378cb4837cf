"""uniqueString() and guid(): Azure's real algorithms.

uniqueString: arguments joined with '-', hashed with Microsoft's 64-bit MurmurHash variant
(two 32-bit lanes, MurmurHash3 x86 constants, fmix32 finalizer), then 13 base32 characters
read from the most significant bits.  guid: RFC 4122 version-5 UUID (SHA-1) of the '-'-joined
arguments in the namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830.

Doc page: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#uniquestring
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from iacli_azure.arm import FunctionArgumentError
from iacli_azure.arm.functions import ARM_GUID_NAMESPACE, guid, murmurhash64, unique_string

Eval = Callable[..., Any]


# Outputs of real Azure deployments of "[uniqueString(...)]", recorded in the source comments of
# github.com/KingslandConsulting/Kingsland.ArmLinter (src/Kingsland.ArmLinter/Functions/ArmFunctions_UniqueString.cs).
AZURE_DEPLOYMENT_VALUES = [
    (("aaa",), "zavj67f3en4hc"),
    (("bbb",), "w5eragfxe33cy"),
    (("zzz",), "cryksdzzzawae"),
    (("xxx", "yyy", "zzz"), "lghi7k5js7itq"),
]

# Self-test vectors of a public pure-bash re-implementation (uniquestring.sh), "verified against
# Bicep uniqueString() output" according to its author.
BICEP_VERIFIED_VALUES = [
    (("test",), "rbgf3xv4ufgzg"),
    (("hello", "world"), "a7wkljktk6wne"),
    (("abc",), "cgtzqvhu4i23s"),
    (("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg",), "bmg7c6xu4tw46"),
    (("foo", "bar", "baz"), "xzi4ioaxtmth4"),
]


@pytest.mark.parametrize(("args", "expected"), AZURE_DEPLOYMENT_VALUES + BICEP_VERIFIED_VALUES)
def test_unique_string_matches_known_azure_values(args: tuple[str, ...], expected: str) -> None:
    assert unique_string(*args) == expected


def test_unique_string_through_the_expression_evaluator(arm_eval: Eval) -> None:
    assert arm_eval("[uniqueString('xxx', 'yyy', 'zzz')]") == "lghi7k5js7itq"
    assert arm_eval("[uniqueString('foo', 'bar', 'baz')]") == "xzi4ioaxtmth4"


def test_unique_string_shape_and_joining() -> None:
    value = unique_string("/subscriptions/s/resourceGroups/rg")
    assert len(value) == 13 and set(value) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert unique_string("a", "b") == unique_string("a-b")  # arguments are joined with '-'
    assert unique_string("ABC") != unique_string("abc")  # case-sensitive


def test_unique_string_is_not_murmurhash64a() -> None:
    # PowerShell DSC's uniqueString() uses MurmurHash64A and gives 'cfvwxu6sc4lqo' for 'a'; ARM's
    # algorithm differs (the Azure-verified vectors above are the reference).
    assert unique_string("a") != "cfvwxu6sc4lqo"


@pytest.mark.parametrize("length", range(18))
def test_murmurhash64_handles_every_tail_length(length: int) -> None:
    data = bytes(range(length))
    assert 0 <= murmurhash64(data) < 2**64
    assert murmurhash64(data) != murmurhash64(data + b"x")


def test_unique_string_requires_strings(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="uniqueString"):
        arm_eval("[uniqueString(1)]")


def test_guid_is_a_version5_uuid_in_the_arm_namespace() -> None:
    value = guid("/subscriptions/s/resourceGroups/rg", "deploy")
    parsed = uuid.UUID(value)
    assert parsed.version == 5 and parsed.variant == uuid.RFC_4122
    assert value == str(uuid.uuid5(ARM_GUID_NAMESPACE, "/subscriptions/s/resourceGroups/rg-deploy"))
    assert str(ARM_GUID_NAMESPACE) == "11fb06fb-712d-4ddd-98c7-e71bbd588830"


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#guid
def test_guid_doc_example_scopes(arm_outputs: Callable[..., dict[str, Any]]) -> None:
    template = {
        "resources": [],
        "outputs": {
            "guidPerSubscription": {"value": "[guid(subscription().subscriptionId)]", "type": "string"},
            "guidPerResourceGroup": {"value": "[guid(resourceGroup().id)]", "type": "string"},
            "guidPerDeployment": {"value": "[guid(resourceGroup().id, deployment().name)]", "type": "string"},
        },
    }
    outputs = arm_outputs(template)
    rg_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourceGroup"
    assert outputs == {
        "guidPerSubscription": guid("00000000-0000-0000-0000-000000000000"),
        "guidPerResourceGroup": guid(rg_id),
        "guidPerDeployment": guid(rg_id, "deployment"),
    }
    assert all(len(value) == 36 for value in outputs.values())
