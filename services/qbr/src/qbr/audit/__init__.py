"""The audit trail of manual changes: who, when, old and new."""
