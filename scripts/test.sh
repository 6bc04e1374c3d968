#!/usr/bin/env bash
# Set up and run the whole check suite: ruff, ruff format, mypy and pytest (unit, PostgreSQL
# and browser tests). Installs what is missing: .venv with '.[dev]', and as root with apt-get
# also Chromium and PostgreSQL. Arguments go to pytest, e.g. scripts/test.sh -k postcode -x
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
CHROMIUM=/usr/bin/chromium

heading() {
    printf '\n==== %s ====\n' "$*"
}

note() {
    printf 'test.sh: %s\n' "$*" >&2
}

# Same search as tests/_pg.py: initdb and pg_ctl on PATH, or Debian's versioned directories.
have_postgres() {
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        return 0
    fi
    compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}

have_chromium() {
    [[ -x $CHROMIUM ]]
}

# ClamAV's daemon, for the upload virus-scan test against the real clamd (it runs on a one-line
# test signature of its own: no virus database download needed).
have_clamd() {
    command -v clamd >/dev/null || [[ -x /usr/sbin/clamd ]]
}

# WeasyPrint (the PDF receipt) needs pango and a font; Chromium usually brings them.
have_pdf_libraries() {
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && [[ -d /usr/share/fonts/truetype/dejavu ]]
}

# The test OpenID provider (tests/oidc) runs on Node.
have_node() {
    command -v node >/dev/null && command -v npm >/dev/null
}

heading "System packages"
missing=()
have_chromium || missing+=(chromium)
have_postgres || missing+=(postgresql)
have_clamd || missing+=(clamav-daemon)
have_pdf_libraries || missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
have_node || missing+=(nodejs npm)
use_playwright_chromium=false
if ((${#missing[@]} == 0)); then
    echo "Chromium, PostgreSQL, clamd, pango and Node are present."
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    note "installing with apt-get: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
        # Ubuntu ships Chromium only as a snap, so the deb may not exist: use Playwright's.
        if [[ " ${missing[*]} " == *" chromium "* ]]; then
            note "apt-get could not install chromium; trying the rest without it"
            use_playwright_chromium=true
            rest=()
            for pkg in "${missing[@]}"; do
                [[ $pkg == chromium ]] || rest+=("$pkg")
            done
            if ((${#rest[@]} > 0)); then
                apt-get install -y -qq --no-install-recommends "${rest[@]}"
            fi
        else
            exit 1
        fi
    fi
else
    have_chromium || use_playwright_chromium=true
    if ! have_postgres; then
        if [[ ${CI:-} == true ]]; then
            note "PostgreSQL server binaries are missing and cannot be installed here" \
                "(need root and apt-get); CI must run the PostgreSQL tests"
            exit 1
        fi
        note "PostgreSQL server binaries not found: the PostgreSQL tests will be skipped" \
            "(install the 'postgresql' package to run them)"
    fi
fi

heading "Python environment (.venv)"
if [[ ! -x .venv/bin/python ]]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        note "$PYTHON must be Python 3.11 or newer"
        exit 1
    fi
    if ! "$PYTHON" -m venv .venv; then
        note "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
        rm -rf .venv
        exit 1
    fi
fi
# Reinstall only when pyproject.toml changed. The dev install also satisfies serve.sh, so
# both stamps are written.
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f .venv/.installed-dev || $(<.venv/.installed-dev) != "$want" ]]; then
    echo "Installing '.[dev]' into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    echo "$want" >.venv/.installed-dev
    echo "$want" >.venv/.installed-runtime
else
    echo ".venv is up to date."
fi

if [[ $use_playwright_chromium == true ]]; then
    heading "Browser for Playwright"
    note "no system Chromium at $CHROMIUM: installing Playwright's own Chromium instead"
    .venv/bin/playwright install chromium
fi

heading "ruff check"
.venv/bin/ruff check .

heading "ruff format --check"
.venv/bin/ruff format --check .

heading "mypy"
.venv/bin/mypy

heading "pytest"
.venv/bin/python -m pytest -W error "$@"
