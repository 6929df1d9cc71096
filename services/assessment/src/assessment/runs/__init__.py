"""Assessing a Ninja snapshot: the run, its job reporting, ``POST /run`` and the snapshot consumer."""
