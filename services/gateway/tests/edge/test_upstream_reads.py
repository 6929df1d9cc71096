"""The proxy's 256 KiB upstream reads rest on a private httpcore attribute (``READ_NUM_BYTES``). If an httpcore
upgrade renames it or stops reading through it, the setting silently does nothing and large report bodies
are read in 64 KiB pieces again (measured: gateway CPU per 866 KB report 2.5 → 4.7 ms); this fails first."""

from __future__ import annotations

import inspect

import httpcore
from httpcore._async.http11 import AsyncHTTP11Connection

from gateway.edge.proxy import READ_BYTES, UpstreamLanes


def test_httpcore_still_reads_upstream_bodies_through_read_num_bytes(service_settings) -> None:
    from gateway.definition import SPEC

    assert AsyncHTTP11Connection is httpcore.AsyncHTTP11Connection
    assert isinstance(AsyncHTTP11Connection.READ_NUM_BYTES, int)
    # httpcore's own read path asks the network stream for READ_NUM_BYTES at a time.
    assert "self.READ_NUM_BYTES" in inspect.getsource(AsyncHTTP11Connection._receive_event)

    UpstreamLanes(service_settings(SPEC))
    assert AsyncHTTP11Connection.READ_NUM_BYTES == READ_BYTES == 256 * 1024
