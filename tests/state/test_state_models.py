"""The plain records: time format, stack filters, lock owners, gone releases."""

from __future__ import annotations

import os
import socket
from dataclasses import replace

from iacli.state import LockOwner, Outcome, Release, ReleaseKind, StackFilter, StackKey, template_hash
from iacli.state.models import format_time, parse_time, short_time


def test_times_are_iso_utc_with_milliseconds_and_sort_as_strings() -> None:
    text = format_time(1795377662.1239)
    assert text == "2026-11-22T20:01:02.123Z"
    assert abs(parse_time(text) - 1795377662.123) < 1e-6
    assert short_time(text) == "2026-11-22T20:01:02Z"
    assert format_time(9.5) < format_time(10.0) < format_time(100.0)


def test_stack_filters_glob_each_part() -> None:
    key = StackKey("aws", "sandbox:us-east-1", "web-dev")
    assert StackFilter().matches(key)
    assert StackFilter(provider="aws", target="sandbox:*").matches(key)
    assert not StackFilter(target="aws:*").matches(key)
    assert StackFilter(stack="web-*").matches(key) and not StackFilter(stack="WEB-*").matches(key)
    assert str(key) == "aws/sandbox:us-east-1/web-dev"


def test_lock_owner_of_this_process() -> None:
    owner = LockOwner.current("iacli deploy")
    assert (owner.host, owner.pid, owner.command) == (socket.gethostname(), os.getpid(), "iacli deploy")
    assert owner.user
    assert str(LockOwner("alice", "host", 4242, "iacli deploy")) == "alice@host pid 4242 (iacli deploy)"


def test_release_gone_rules() -> None:
    release = Release(
        number=1, key=StackKey("aws", "sandbox:us-east-1", "web-dev"), kind=ReleaseKind.DEPLOY,
        outcome=Outcome.SUCCEEDED, origin="t.yaml", blueprint=None, blueprint_version=None,
        template_hash=template_hash("x"), parameters={}, secret_names=(), request={}, plan_id=None,
        summary={},
        outputs={}, error=None, started_at="2026-01-01T00:00:00.000Z", ended_at=None, user="u", host="h",
        git_commit=None, rollback_of=None, sandbox_generation="g1",
    )
    assert not release.is_gone() and not release.is_gone("g1") and release.is_gone("g2")
    assert replace(release, gone_at="2026-01-02T00:00:00.000Z").is_gone("g1")
    assert replace(release, sandbox_generation=None).is_gone("g1")
    assert template_hash("x") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
