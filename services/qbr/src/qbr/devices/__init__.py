"""Seats and endpoints per client: counted from Ninja snapshots, imported history, devices-by-client."""
