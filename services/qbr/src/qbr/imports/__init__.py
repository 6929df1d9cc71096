"""Historical imports from CSV and XLSX files (per-client counts, monthly metrics)."""
