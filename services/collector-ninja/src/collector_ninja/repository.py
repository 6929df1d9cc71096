"""All SQL of the Ninja collector (snapshot tables of the ``ninja`` schema)."""

from __future__ import annotations

from collector_ninja.models import device_identities, snapshot_devices, snapshots
from hub_shared.snapshots import SnapshotStore

store = SnapshotStore(snapshots, snapshot_devices, device_identities, identity_column="device_id")
