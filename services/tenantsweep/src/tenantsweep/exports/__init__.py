"""CSV export of an audit's findings, streamed."""
