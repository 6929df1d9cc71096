"""Quarterly business review metrics, SmartNumbers, thresholds."""
