"""SmartNumber thresholds and their green/yellow/red statuses."""
