"""What each QBR metric is (label, category, format, source, formula), with a month's values on request."""
