"""All SQL of the ThreatLocker collector (snapshot tables of the ``threatlocker`` schema)."""

from __future__ import annotations

from collector_threatlocker.models import device_identities, snapshot_devices, snapshots
from hub_shared.snapshots import SnapshotStore

store = SnapshotStore(snapshots, snapshot_devices, device_identities, identity_column="computer_id")
