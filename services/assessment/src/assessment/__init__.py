"""Windows 11 24H2 readiness assessment."""
