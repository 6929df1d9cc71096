"""Cross-vendor reconciliation, exceptions, history, usage changes, exports."""
