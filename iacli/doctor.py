"""``iacli doctor``: what keeps a stack stuck, from iacli's own state (locks, unfinished releases) and
from the provider (stuck stack statuses, abandoned change sets), and the remedy for each."""

from __future__ import annotations

from iacli.engine import Engine, StackRequest
from iacli.providers import Finding, FindingCode
from iacli.state import Outcome

_STATE_CODES = frozenset({FindingCode.STALE_LOCK, FindingCode.LIVE_LOCK, FindingCode.UNFINISHED_RELEASE})


def diagnose(engine: Engine, request: StackRequest) -> list[Finding]:
    """Every finding for the request's stack: iacli's state first, then the provider's."""
    target = engine.target(request)
    key, generation = engine.stack_key(target)
    findings: list[Finding] = []
    lock = engine.store.get_lock(key)
    if lock is not None:
        reason = engine.store.stale_reason(lock)
        if reason:
            findings.append(Finding(FindingCode.STALE_LOCK, f"{key.stack} is locked by a run that is gone: {reason}",
                                    "remove the lock (its unfinished release is marked interrupted)", True))
        else:
            findings.append(Finding(FindingCode.LIVE_LOCK, f"{key.stack} is locked by {lock.owner} since "
                                    f"{lock.acquired_at}", "wait for that run to finish", False))
    latest = engine.store.latest(key, generation=generation)
    if lock is None and latest is not None and latest.outcome is Outcome.IN_PROGRESS:
        findings.append(Finding(FindingCode.UNFINISHED_RELEASE,
                                f"release {latest.number} never finished (its run died without a lock)",
                                "mark it interrupted; `iacli plan` shows the stack's real state", True,
                                {"number": latest.number}))
    return findings + engine.provider(target.provider).diagnose(target)


def remedy(engine: Engine, request: StackRequest, finding: Finding) -> str:
    """Apply one finding's remedy; say what was done."""
    target = engine.target(request)
    key, _ = engine.stack_key(target)
    if finding.code not in _STATE_CODES:
        return engine.provider(target.provider).remedy(target, finding)
    if finding.code is FindingCode.STALE_LOCK:
        engine.store.break_lock(key)
        return f"removed the stale lock of {key.stack}"
    if finding.code is FindingCode.UNFINISHED_RELEASE:
        engine.store.finish(key, int(finding.data["number"]), Outcome.INTERRUPTED, error="found unfinished by doctor")
        return f"marked release {finding.data['number']} interrupted"
    return "nothing to do"
