"""Microsoft 365 security audit runs and findings."""
