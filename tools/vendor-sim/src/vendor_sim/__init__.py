"""NinjaOne + ThreatLocker API simulator with deterministic synthetic fleets."""
