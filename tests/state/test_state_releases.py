"""Release history in the SQLite store: round trips, numbering, order, current/last_good, generations."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from iacli.state import (
    NewRelease,
    Outcome,
    ReleaseKind,
    SqliteStateStore,
    StackFilter,
    StackKey,
    template_hash,
)

KEY = StackKey("aws", "sandbox:us-east-1", "serverless-web-dev")
OTHER = StackKey("aws", "aws:eu-west-1", "serverless-web-dev")
TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"


def new_release(key: StackKey = KEY, **changes: Any) -> NewRelease:
    fields: dict[str, Any] = {
        "key": key,
        "kind": ReleaseKind.DEPLOY,
        "origin": "serverless-web@1.0.0",
        "blueprint": "serverless-web",
        "blueprint_version": "1.0.0",
        "template": TEMPLATE,
        "parameters": {"memory_mb": 256},
        "secret_names": (),
        "request": {"blueprint": "serverless-web", "env": "dev"},
        "plan_id": None,
        "summary": {"create": 3, "update": 0, "delete": 0},
        "user": "alice",
        "host": "laptop",
        "git_commit": None,
    }
    fields.update(changes)
    return NewRelease(**fields)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with SqliteStateStore(tmp_path / "deep" / "folder" / "state.db") as opened:
        yield opened


def deploy(store: SqliteStateStore, outcome: Outcome, key: StackKey = KEY, **changes: Any) -> int:
    number = store.begin(new_release(key, **changes)).number
    store.finish(key, number, outcome)
    return number


def test_every_field_round_trips(store: SqliteStateStore) -> None:
    first = store.begin(new_release())
    store.finish(KEY, first.number, Outcome.SUCCEEDED)
    incoming = new_release(
        kind=ReleaseKind.ROLLBACK,
        origin="./templates/web.yaml",
        blueprint=None,
        blueprint_version=None,
        template="Resources:\n  Bucket: {Type: 'AWS::S3::Bucket'}  # é ✓\n",
        parameters={
            "memory_mb": 512, "tags": {"team": "web", "list": [1, 2.5, None, True]}, "pw": "sha256:ab"
        },
        secret_names=("pw",),
        request={"blueprint": "serverless-web", "env": "dev", "assignments": {"memory_mb": "512"}},
        plan_id="plan-0123",
        summary={"create": 0, "update": 1, "replace": 0, "delete": 2},
        user="bob",
        host="ci-runner-7",
        git_commit="0123456789abcdef0123456789abcdef01234567",
        rollback_of=first.number,
        sandbox_generation="gen-42",
    )
    started = store.begin(incoming)
    assert started.outcome is Outcome.IN_PROGRESS and not started.finished
    assert started.ended_at is None and started.outputs == {} and started.error is None
    finished = store.finish(
        KEY, started.number, Outcome.FAILED, outputs={"endpoint_url": "http://x"}, error="boom: it failed"
    )
    stored = store.get(KEY, started.number)
    assert stored == finished
    assert stored is not None
    assert stored.number == 2
    assert stored.key == KEY
    assert stored.kind is ReleaseKind.ROLLBACK
    assert stored.outcome is Outcome.FAILED and stored.finished
    assert stored.origin == incoming.origin
    assert stored.blueprint is None and stored.blueprint_version is None
    assert stored.template_hash == template_hash(incoming.template)
    assert store.template(stored.template_hash) == incoming.template
    assert stored.parameters == incoming.parameters
    assert stored.secret_names == ("pw",)
    assert stored.request == incoming.request
    assert stored.plan_id == "plan-0123"
    assert stored.summary == incoming.summary
    assert stored.outputs == {"endpoint_url": "http://x"}
    assert stored.error == "boom: it failed"
    assert stored.started_at.endswith("Z") and stored.ended_at is not None and stored.ended_at.endswith("Z")
    assert stored.started_at <= stored.ended_at
    assert (stored.user, stored.host, stored.git_commit) == ("bob", "ci-runner-7", incoming.git_commit)
    assert stored.rollback_of == 1
    assert stored.sandbox_generation == "gen-42"
    assert stored.gone_at is None
    assert json.loads(json.dumps(stored.to_dict()))["kind"] == "rollback"


def test_numbers_are_per_stack_and_history_is_newest_first(store: SqliteStateStore) -> None:
    numbers = [store.begin(new_release(key)).number for key in (KEY, OTHER, KEY, KEY, OTHER)]
    assert numbers == [1, 1, 2, 3, 2]
    assert [r.number for r in store.history(KEY)] == [3, 2, 1]
    assert [r.number for r in store.history(KEY, limit=2)] == [3, 2]
    assert [r.number for r in store.history(OTHER)] == [2, 1]
    assert store.history(StackKey("aws", "x", "none")) == []
    assert store.get(KEY, 9) is None
    assert store.stacks() == [OTHER, KEY]
    assert store.stacks(StackFilter(target="sandbox:*")) == [KEY]


def test_last_good_skips_failed_interrupted_rolled_back_and_destroy(store: SqliteStateStore) -> None:
    deploy(store, Outcome.SUCCEEDED)  # 1
    deploy(store, Outcome.FAILED)  # 2
    deploy(store, Outcome.SUCCEEDED, kind=ReleaseKind.AUTO_ROLLBACK, rollback_of=1)  # 3
    deploy(store, Outcome.INTERRUPTED)  # 4
    deploy(store, Outcome.ROLLED_BACK)  # 5
    deploy(store, Outcome.SUCCEEDED, kind=ReleaseKind.DESTROY)  # 6
    store.begin(new_release())  # 7, in progress

    assert store.last_good(KEY).number == 3  # type: ignore[union-attr]
    assert store.last_good(KEY, before=3).number == 1  # type: ignore[union-attr]
    assert store.last_good(KEY, before=1) is None
    assert store.current(KEY) is None  # the newest success is a destroy: nothing is deployed
    assert store.latest(KEY).number == 7  # type: ignore[union-attr]


def test_current_is_the_newest_success_and_ignores_later_failures(store: SqliteStateStore) -> None:
    assert store.current(KEY) is None and store.last_good(KEY) is None and store.latest(KEY) is None
    deploy(store, Outcome.SUCCEEDED)  # 1
    deploy(store, Outcome.SUCCEEDED)  # 2
    deploy(store, Outcome.ROLLED_BACK)  # 3: the provider put 2 back
    assert store.current(KEY).number == 2  # type: ignore[union-attr]
    deploy(store, Outcome.SUCCEEDED, kind=ReleaseKind.ROLLBACK, rollback_of=1)  # 4
    assert store.current(KEY).number == 4  # type: ignore[union-attr]
    assert store.last_good(KEY, before=4).number == 2  # type: ignore[union-attr]
    deploy(store, Outcome.SUCCEEDED, kind=ReleaseKind.DESTROY)  # 5
    deploy(store, Outcome.SUCCEEDED)  # 6: deployed again after the destroy
    assert store.current(KEY).number == 6  # type: ignore[union-attr]


def test_templates_are_stored_once_by_hash(store: SqliteStateStore) -> None:
    first = store.begin(new_release())
    second = store.begin(new_release(OTHER))
    third = store.begin(new_release(template=TEMPLATE + "# changed\n"))
    assert first.template_hash == second.template_hash != third.template_hash
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM templates").fetchone()[0] == 2
    assert store.template(first.template_hash) == TEMPLATE
    with pytest.raises(KeyError):
        store.template("0" * 64)


def test_sandbox_generations_hide_releases_of_an_older_sandbox(store: SqliteStateStore) -> None:
    deploy(store, Outcome.SUCCEEDED, sandbox_generation="A")  # 1
    deploy(store, Outcome.SUCCEEDED, sandbox_generation="A")  # 2
    # the sandbox was reset: its generation is now B and nothing is deployed there
    assert store.current(KEY, generation="B") is None
    assert store.last_good(KEY, generation="B") is None
    assert store.latest(KEY, generation="B") is None
    assert store.current(KEY, generation="A").number == 2  # type: ignore[union-attr]
    assert store.current(KEY).number == 2  # type: ignore[union-attr]  # no generation: no filter
    assert [r.number for r in store.history(KEY)] == [2, 1]
    assert store.history(KEY, generation="B", include_gone=False) == []
    assert all(r.is_gone("B") and not r.is_gone("A") and not r.is_gone() for r in store.history(KEY))
    assert store.get(KEY, 1) is not None  # rollback --to 1 can still re-create it

    deploy(store, Outcome.SUCCEEDED, sandbox_generation="B")  # 3
    assert store.current(KEY, generation="B").number == 3  # type: ignore[union-attr]
    assert store.last_good(KEY, before=3, generation="B") is None
    assert [r.number for r in store.history(KEY, generation="B", include_gone=False)] == [3]


def test_mark_gone_hides_matching_stacks_only(store: SqliteStateStore) -> None:
    deploy(store, Outcome.SUCCEEDED, sandbox_generation="A")  # sandbox 1
    deploy(store, Outcome.SUCCEEDED, sandbox_generation="B")  # sandbox 2
    deploy(store, Outcome.SUCCEEDED, key=OTHER)  # cloud 1
    assert store.mark_gone(StackFilter(provider="aws", target="sandbox:*"), keep_generation="B") == 1
    assert store.get(KEY, 1).gone_at is not None  # type: ignore[union-attr]
    assert store.current(KEY).number == 2  # type: ignore[union-attr]
    assert store.last_good(KEY, before=2) is None
    assert store.mark_gone(StackFilter(target="sandbox:*")) == 1
    assert store.mark_gone(StackFilter(target="sandbox:*")) == 0  # the first stamp stays
    assert store.current(KEY) is None
    assert store.history(KEY, include_gone=False) == []
    assert all(r.is_gone() for r in store.history(KEY))
    assert store.current(OTHER).number == 1  # type: ignore[union-attr]


def test_forget_deletes_releases_and_unused_templates(store: SqliteStateStore) -> None:
    shared = store.begin(new_release())
    own = store.begin(new_release(template="only sandbox"))
    store.begin(new_release(OTHER))
    assert store.forget(StackFilter.exact(KEY)) == 2
    assert store.history(KEY) == []
    assert store.template(shared.template_hash) == TEMPLATE  # still used by OTHER
    with pytest.raises(KeyError):
        store.template(own.template_hash)
    assert store.begin(new_release()).number == 1


def test_stack_filter_exact_escapes_glob_characters(store: SqliteStateStore) -> None:
    odd = StackKey("aws", "sandbox:*", "a[1]?")
    store.begin(new_release(odd))
    store.begin(new_release(KEY))
    assert store.stacks(StackFilter.exact(odd)) == [odd]
    assert StackFilter.exact(odd).matches(odd) and not StackFilter.exact(odd).matches(KEY)


def test_finish_rules(store: SqliteStateStore) -> None:
    release = store.begin(new_release())
    with pytest.raises(ValueError, match="final outcome"):
        store.finish(KEY, release.number, Outcome.IN_PROGRESS)
    with pytest.raises(KeyError):
        store.finish(KEY, 99, Outcome.SUCCEEDED)
    store.finish(KEY, release.number, Outcome.INTERRUPTED, outputs={"a": 1}, error="interrupted")
    # a later finish overwrites the outcome and error, keeps the outputs when none are given
    again = store.finish(KEY, release.number, Outcome.SUCCEEDED)
    assert (again.outcome, again.outputs, again.error) == (Outcome.SUCCEEDED, {"a": 1}, None)


def test_secret_values_in_clear_are_refused_without_echoing_them(store: SqliteStateStore) -> None:
    canary = "hunter2-canary"
    with pytest.raises(ValueError, match="not redacted") as caught:
        store.begin(new_release(parameters={"db_password": canary}, secret_names=("db_password",)))
    assert canary not in str(caught.value)
    assert store.history(KEY) == []
    # redacted or absent secrets are fine
    redacted = {"db_password": "sha256:0f1e"}
    store.begin(new_release(parameters=redacted, secret_names=("db_password", "api_key")))


def test_rollback_of_must_name_an_existing_release(store: SqliteStateStore) -> None:
    with pytest.raises(ValueError, match="no release 5"):
        store.begin(new_release(kind=ReleaseKind.ROLLBACK, rollback_of=5))
    assert store.history(KEY) == []
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM templates").fetchone()[0] == 0


def test_threads_sharing_one_store_get_distinct_numbers(store: SqliteStateStore) -> None:
    got: list[int] = []

    def work() -> None:
        for _ in range(10):
            got.append(store.begin(new_release()).number)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(1, 41))


def test_a_closed_store_refuses_use(tmp_path: Path) -> None:
    from iacli.state import StateError

    store = SqliteStateStore(tmp_path / "state.db")
    store.close()
    store.close()
    with pytest.raises(StateError, match="closed"):
        store.history(KEY)
