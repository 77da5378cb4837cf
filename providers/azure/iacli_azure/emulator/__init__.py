"""An offline Azure Resource Manager emulator serving the real azure-mgmt SDK clients.

No ARM emulator exists elsewhere; this one lets iacli's Azure provider plan (what-if), deploy,
inspect and delete ARM deployments with no Azure account, in memory or as a background server
process that keeps state across iacli commands.

Modules:

* :mod:`.state`     the in-memory model (groups, resources, deployments, ACI runtime), thread-safe,
                    JSON snapshots;
* :mod:`.engine`    deployments: preflight, dependency-ordered execution with the ``arm``
                    evaluator, nested deployments, complete mode, outputs, operations, ARM errors;
* :mod:`.whatif`    what-if changes and property deltas;
* :mod:`.resources` + :mod:`.handlers`  the emulated resource providers; :mod:`.support` says
                    which types are modelled, recorded or refused;
* :mod:`.app`       the ARM REST surface (WSGI); :mod:`.transport` serves SDK clients in memory
                    and builds them for either mode (:func:`make_clients`);
* :mod:`.server` / :mod:`.manager`  the background server process and its manager.

Importing this package is cheap (the manager, used by every iacli command, needs no SDK); the
entry points live in their modules.  Typical use::

    from iacli_azure.emulator.service import Emulator
    from iacli_azure.emulator.transport import make_clients

    emulator = Emulator()
    resources, deployments, containers = make_clients(emulator)
    resources.resource_groups.create_or_update("rg", {"location": "westeurope"})
    poller = deployments.deployments.begin_create_or_update("rg", "d1", {"properties": {...}})
"""

from __future__ import annotations

from .errors import ArmError
from .ids import SUBSCRIPTION_ID, TENANT_ID
from .support import SupportLevel

__all__ = ["SUBSCRIPTION_ID", "TENANT_ID", "ArmError", "SupportLevel"]
