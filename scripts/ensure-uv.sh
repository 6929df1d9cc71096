#!/usr/bin/env bash
# Print the path of a usable uv, installing it with pip when the machine has none.
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
if [ -x "$HOME/.local/bin/uv" ]; then echo "$HOME/.local/bin/uv"; exit 0; fi
python3 -m pip install --quiet --user "uv>=0.9,<0.14" >&2 || python3 -m pip install --quiet "uv>=0.9,<0.14" >&2
command -v uv 2>/dev/null || echo "$HOME/.local/bin/uv"
