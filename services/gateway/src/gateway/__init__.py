"""Public edge on :5400: route table, sign-in, collector-run control plane, /api/status."""
