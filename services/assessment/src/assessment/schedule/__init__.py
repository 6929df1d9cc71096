"""Delayed assessments (``ASSESSMENT_DELAY_SECONDS``): remembered runs and the worker that runs them."""
