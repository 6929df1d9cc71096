"""Reading stored results: counts, device lists and a device's history (the GET routes)."""
