"""Findings of an audit: one at a time, or up to the bulk limit in one all-or-nothing request."""
