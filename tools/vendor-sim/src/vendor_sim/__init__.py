"""NinjaOne + ThreatLocker API simulator with deterministic synthetic fleets.

Public API: `create_app(SimConfig(...))` (FastAPI app; `app.state.sim` is the `Simulator`),
`serve_in_thread(config)` (uvicorn on a free port), `Simulator.truth(day)` / `.changes(a, b)` (ground
truth), and `match_key` / `reconcile` (the reference reconciliation the truth is computed with).
"""

from vendor_sim.app import Simulator, create_app, serve_in_thread
from vendor_sim.config import DEFAULT_TL_PARENT_ORG_ID, DEFAULT_TPM_FIELDS, SimConfig
from vendor_sim.faults import FaultRule
from vendor_sim.fleet import Plant, match_key
from vendor_sim.truth import VARIANCE_TYPES, Changes, NinjaRow, TlRow, Truth, ninja_key, reconcile

__all__ = [
    "DEFAULT_TL_PARENT_ORG_ID",
    "DEFAULT_TPM_FIELDS",
    "VARIANCE_TYPES",
    "Changes",
    "FaultRule",
    "NinjaRow",
    "Plant",
    "SimConfig",
    "Simulator",
    "TlRow",
    "Truth",
    "create_app",
    "match_key",
    "ninja_key",
    "reconcile",
    "serve_in_thread",
]
