"""Recording releases around applies: who, when, what was submitted, the outcome, and the automatic
rollback a failed apply ends in. Secret parameter values are stored only as salted hashes."""

from __future__ import annotations

import getpass
import hashlib
import secrets as pysecrets
import socket
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from iacli.errors import DeploymentFailedError
from iacli.plan import Plan
from iacli.providers import Submission
from iacli.state import NewRelease, Outcome, Release, ReleaseKind, StackKey, StateStore

T = TypeVar("T")


def project_salt(state_dir: Path) -> str:
    """A random per-project salt for secret hashes, created once next to the state database."""
    path = state_dir / "salt"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        state_dir.mkdir(parents=True, exist_ok=True)
        salt = pysecrets.token_hex(16)
        path.write_text(salt)
        path.chmod(0o600)
        return salt


def secret_digest(salt: str, name: str, value: Any) -> str:
    """How the history stores the value of secret parameter ``name``: ``sha256:<salted hash>``."""
    return f"sha256:{hashlib.sha256(f'{salt}:{name}:{value}'.encode()).hexdigest()}"


def redact(parameters: Mapping[str, Any], secret_names: frozenset[str], salt: str) -> dict[str, Any]:
    """Parameters as stored: secrets become their :func:`secret_digest`; the others stay."""
    return {k: (secret_digest(salt, k, v) if k in secret_names else v) for k, v in parameters.items()}


def git_commit(project_dir: Path) -> str | None:
    """The project's HEAD commit (with ``-dirty`` when the work tree has changes), or None."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project_dir, capture_output=True, text=True, timeout=5,
                              check=False)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_dir,
                               capture_output=True, text=True, timeout=5, check=False)
        return head.stdout.strip()[:12] + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return user, socket.gethostname()


@dataclass(frozen=True)
class ReleaseContext:
    """What every release of one stack in one run shares."""

    store: StateStore
    key: StackKey
    generation: str | None
    salt: str
    project_dir: Path
    origin: str
    blueprint: str | None
    blueprint_version: str | None
    request: Mapping[str, Any]

    def new_release(self, kind: ReleaseKind, submission: Submission, secret_names: frozenset[str],
                    plan: Plan | None, rollback_of: int | None = None,
                    kept: Mapping[str, Any] | None = None) -> NewRelease:
        """``kept``: stored hashes of secrets the target keeps at their deployed value (not sent again)."""
        user, host = who()
        summary = {a.value: n for a, n in plan.counts().items()} if plan else {}
        return NewRelease(
            key=self.key, kind=kind, origin=self.origin, blueprint=self.blueprint,
            blueprint_version=self.blueprint_version, template=submission.template,
            parameters={**dict(kept or {}), **redact(submission.parameters, secret_names, self.salt)},
            secret_names=tuple(sorted(secret_names)),
            request=dict(self.request), plan_id=plan.template_hash[:16] if plan else None, summary=summary,
            user=user, host=host, git_commit=git_commit(self.project_dir), rollback_of=rollback_of,
            sandbox_generation=self.generation,
        )

    def record(self, release: NewRelease, apply: Callable[[], T], outputs: Callable[[T], Mapping[str, Any]]) -> T:
        """Run ``apply`` inside a release: succeeded, failed (+ automatic rollback), or interrupted."""
        previous = self.store.current(self.key, generation=self.generation)
        started = self.store.begin(release)
        try:
            result = apply()
        except DeploymentFailedError as exc:
            outcome = Outcome.ROLLED_BACK if exc.rolled_back else Outcome.FAILED
            self.store.finish(self.key, started.number, outcome, error=exc.message)
            if exc.rolled_back and previous is not None:
                self._auto_rollback(previous, started.number)
            raise
        except KeyboardInterrupt:
            self.store.finish(self.key, started.number, Outcome.INTERRUPTED, error="interrupted (Ctrl-C); the "
                              "target may be mid-change: run `iacli plan` or `iacli doctor` to see its real state")
            raise
        except Exception as exc:
            self.store.finish(self.key, started.number, Outcome.FAILED, error=str(exc))
            raise
        self.store.finish(self.key, started.number, Outcome.SUCCEEDED, outputs=dict(outputs(result)))
        return result

    def _auto_rollback(self, previous: Release, failed: int) -> None:
        """Record that the target is back at ``previous`` after release ``failed`` went wrong."""
        user, host = who()
        restored = NewRelease(
            key=self.key, kind=ReleaseKind.AUTO_ROLLBACK, origin=previous.origin, blueprint=previous.blueprint,
            blueprint_version=previous.blueprint_version, template=self.store.template(previous.template_hash),
            parameters=dict(previous.parameters), secret_names=previous.secret_names, request=dict(previous.request),
            plan_id=None, summary={}, user=user, host=host, git_commit=previous.git_commit,
            rollback_of=previous.number, sandbox_generation=self.generation,
        )
        started = self.store.begin(restored)
        self.store.finish(self.key, started.number, Outcome.SUCCEEDED, outputs=dict(previous.outputs),
                          error=f"automatic rollback after release {failed} failed")
