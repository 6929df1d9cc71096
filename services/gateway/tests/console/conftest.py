"""The console tests use the gateway harness of ``../auth/conftest.py`` (local provider, stand-ins, make_edge).

Test directories are not packages here (pytest's importlib mode), so the harness is loaded by path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_path = Path(__file__).parent.parent / "auth" / "conftest.py"
_spec = importlib.util.spec_from_file_location("gateway_tests_auth_harness", _path)
assert _spec is not None and _spec.loader is not None
_harness = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _harness  # dataclasses look their module up there
_spec.loader.exec_module(_harness)

provider_url = _harness.provider_url
provider = _harness.provider
stand_ins = _harness.stand_ins
auth_database = _harness.auth_database
clean_auth_tables = _harness.clean_auth_tables
make_edge = _harness.make_edge
smith = _harness.smith
