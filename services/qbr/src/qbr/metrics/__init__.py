"""Monthly metrics, their quarterly aggregation, and manual entry."""
