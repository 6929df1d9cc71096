"""Collects NinjaOne devices into dated snapshots."""
