#!/usr/bin/env bash
# Start eDienst Verhuizen on a fresh Debian/Ubuntu machine: creates .venv and installs the
# package when needed, then runs `verhuizen serve` (default 127.0.0.1:8000). Arguments are
# passed on, e.g. scripts/serve.sh --host 0.0.0.0 --port 8080
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}

if [[ ! -x .venv/bin/python ]]; then
    if ! command -v "$PYTHON" >/dev/null; then
        echo "serve.sh: $PYTHON not found; install Python 3.11 or newer" >&2
        exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "serve.sh: $PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or newer is needed" >&2
        exit 1
    fi
    if ! "$PYTHON" -m venv .venv; then
        echo "serve.sh: could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        rm -rf .venv
        exit 1
    fi
fi

# Reinstall only when pyproject.toml changed; the stamp holds the hash of the installed one.
# test.sh writes the same stamp, because its '.[dev]' install includes everything needed here.
stamp=.venv/.installed-runtime
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f $stamp || $(<"$stamp") != "$want" ]]; then
    echo "serve.sh: installing dependencies into .venv" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
    echo "$want" >"$stamp"
fi

exec .venv/bin/verhuizen serve "$@"
