"""Beyond the spec: comparing two audits of a tenant check by check, and the per-tenant overview."""
