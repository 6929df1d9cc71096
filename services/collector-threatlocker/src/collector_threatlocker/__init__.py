"""Collects ThreatLocker computers into dated snapshots."""
