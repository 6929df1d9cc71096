"""The edge tests use the gateway harness of ``../auth/conftest.py`` (local provider, stand-ins, make_edge).

Test directories are not packages here (pytest's importlib mode), so the harness is loaded by path.
"""

from __future__ import annotations

from pathlib import Path

from hub_shared.testing.modules import load_by_path

_harness = load_by_path(Path(__file__).parent.parent / "auth" / "conftest.py", "gateway_tests_auth_harness")

provider_url = _harness.provider_url
provider = _harness.provider
stand_ins = _harness.stand_ins
auth_database = _harness.auth_database
clean_auth_tables = _harness.clean_auth_tables
make_edge = _harness.make_edge
smith = _harness.smith
