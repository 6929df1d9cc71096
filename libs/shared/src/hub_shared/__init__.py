"""Inventory Hub shared library."""
