"""The AWS half of iacli's offline sandbox: moto in a background process on 127.0.0.1, telling the truth.

Client side (cheap to import, no moto, no boto3): :mod:`.manager` starts, finds, resets and stops the
server. Server side: :mod:`.server` (process entry and in-thread server), :mod:`.models` (CloudFormation
models moto lacks, on moto's own backends) and :mod:`.fixes` (corrections to moto's CloudFormation).
"""

from __future__ import annotations

from iacli.errors import ProviderError


class SandboxError(ProviderError):
    """The sandbox server could not be started, reached, reset or stopped."""


__all__ = ["SandboxError"]
