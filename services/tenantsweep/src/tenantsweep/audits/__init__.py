"""Audit runs: create, complete or fail, fetch, list, and a tenant's latest completed audit."""
