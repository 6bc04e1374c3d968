"""``pip install .`` serves the product: a real wheel, installed outside the checkout.

The wheel is built (``pip wheel --no-build-isolation --no-index``: nothing is downloaded) from a
copy of the checkout, so no ``build/`` folder or egg-info lands in the shared working tree and a
stale ``build/lib`` cannot hide a missing file. It is installed with ``pip install --target`` into
a temporary folder, and everything runs from another temporary folder with ``python -S``: the
installed package and the current interpreter's dependencies are on ``PYTHONPATH``, but the
editable install of the checkout (a ``.pth`` file, which ``-S`` leaves unread) is not.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port, serving

ROOT = Path(__file__).resolve().parents[1]
SLUGS = sorted(path.stem for path in (ROOT / "config" / "gemeenten").glob("*.yaml"))
# Where the build puts the folders that stay at the repo root (see pyproject.toml).
MAPPED = {
    "templates": "webapp/templates",
    "static": "webapp/static",
    "config/gemeenten": "webapp/gemeenten",
}
# Not part of the source: caches, environments, build output, local data and reports.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    "node_modules",
    "data",
    "reports",
    "test-results",
)


@dataclass(frozen=True)
class Installed:
    source: Path  # the copy of the checkout the wheel was built from
    wheel: Path
    site: Path  # pip install --target
    workdir: Path  # cwd of every command: outside the checkout
    data: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The inherited environment without our settings (as e2e/conftest.py), plus ``extra``."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("VERHUIZEN_") and k != "DATABASE_URL" and k != "PYTHONPATH"
        }
        env.update(
            PYTHONPATH=os.pathsep.join([str(self.site), *_dependency_paths()]),
            PYTHONDONTWRITEBYTECODE="1",
            VERHUIZEN_DATA_DIR=str(self.data),
        )
        env.update(extra)
        return env

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-S", *args],
            cwd=self.workdir,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def verhuizen(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "webapp.cli", *args, **extra)


def _dependency_paths() -> list[str]:
    """Where this interpreter finds the dependencies (its site-packages), without the checkout."""
    paths = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    paths += site.getsitepackages()
    if site.ENABLE_USER_SITE:
        paths.append(site.getusersitepackages())
    unique = dict.fromkeys(p for p in paths if Path(p).is_dir() and Path(p) != ROOT)
    return list(unique)


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERHUIZEN_", "PIP_"))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-index", "--no-cache-dir"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if importlib.util.find_spec("pip") is None:
        pytest.skip("pip is not installed in this interpreter, so the wheel cannot be built here")
    if importlib.util.find_spec("setuptools") is None:
        pytest.fail("setuptools is missing: install '.[dev]' (it needs setuptools>=77)")
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, symlinks=True)

    built = _pip("wheel", "--no-deps", "--no-build-isolation", ".", "-w", str(base), cwd=source)
    wheels = sorted(base.glob("verhuizen-*.whl"))
    assert built.returncode == 0 and len(wheels) == 1, (
        f"building the wheel failed (setuptools>=77 is in '.[dev]'):\n{built.stdout}\n{built.stderr}"
    )
    target = base / "site"
    done = _pip("install", "--no-deps", "--target", str(target), str(wheels[0]), cwd=base)
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stdout}\n{done.stderr}"
    workdir = base / "elders"
    workdir.mkdir()
    return Installed(source, wheels[0], target, workdir, base / "data")


def test_every_subpackage_is_listed_in_pyproject() -> None:
    """The packages are listed, not found (see pyproject.toml): a new one must be added there."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    code = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "webapp").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    missing = sorted(code - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def _files(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def test_the_wheel_holds_code_templates_static_files_and_config(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    expected = {f"webapp/{name}" for name in _files(installed.source / "webapp")}
    for folder, inside in MAPPED.items():
        expected |= {f"{inside}/{name}" for name in _files(installed.source / folder)}
    # Every module (a new subpackage must be listed in pyproject.toml) and every data file (a new
    # kind of file needs a pattern in [tool.setuptools.package-data]).
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel (see pyproject.toml): {missing}"
    for wanted in (
        "webapp/locale/messages.pot",
        "webapp/registers/testdata/brp-personen.json",
        "webapp/storage/migrations/env.py",
        "webapp/storage/migrations/script.py.mako",
        "webapp/evidence/vendor/axe-core/axe.min.js",
        "webapp/templates/base.html",
        "webapp/static/css/app.css",
        "webapp/gemeenten/gemeente.schema.json",
        "webapp/gemeenten/scenarios/scenario.schema.json",
        "webapp/gemeenten/scenarios/bestanden/huurcontract-voorbeeld.pdf",
        *(f"webapp/gemeenten/{slug}.yaml" for slug in SLUGS),
    ):
        assert wanted in names
    assert any(n.startswith("webapp/storage/migrations/versions/") for n in names)
    assert not any(n.startswith(("templates/", "static/", "config/")) for n in names)


def test_the_installed_package_is_the_one_imported(installed: Installed) -> None:
    probe = (
        "import json, sys, webapp, webapp.resources as r, webapp.cli, webapp.storage.db;"
        "print(json.dumps({'modules': sorted(m.__file__ for n, m in sys.modules.items()"
        " if n.split('.')[0] == 'webapp' and getattr(m, '__file__', None)),"
        " 'paths': [str(r.TEMPLATES), str(r.STATIC), str(r.DEFAULT_CONFIG_DIR),"
        " str(webapp.storage.db.MIGRATIONS)]}))"
    )
    result = installed.run("-c", probe)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site_dir = installed.site.resolve()
    assert found["modules"] and found["paths"]
    for path in found["modules"] + found["paths"]:
        assert Path(path).resolve().is_relative_to(site_dir), path
    for path in found["paths"]:
        assert Path(path).is_dir(), path


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(installed: Installed) -> Iterator[str]:
    """``verhuizen serve`` from the installed wheel, with the packaged default configuration."""
    port = free_port()
    cmd = [sys.executable, "-S", "-m", "webapp.cli", "serve", "--port", str(port)]
    with serving(
        cmd,
        port=port,
        env=installed.env(),
        cwd=installed.workdir,
        logs=installed.workdir / "serve",
        what="installed server",
    ) as url:
        yield url


def test_the_installed_server_serves_every_shipped_gemeente(server: str) -> None:
    status, index = _get(f"{server}/")
    assert status == 200
    static = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', index))
    for slug in SLUGS:
        status, page = _get(f"{server}/{slug}/")
        assert status == 200, f"/{slug}/ gave {status}"
        static |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
    assert any(url.split("?")[0].endswith(".css") for url in static), static
    for url in sorted(static):
        assert _get(f"{server}{url}")[0] == 200, url


def test_the_commands_use_the_packaged_config_elsewhere(installed: Installed) -> None:
    check = installed.verhuizen("check-config")
    assert check.returncode == 0, check.stderr
    for slug in SLUGS:
        assert f"{slug}: in orde" in check.stdout

    schema = installed.verhuizen("schema", "--check")
    assert str(installed.site.resolve() / "webapp" / "gemeenten") in schema.stdout + schema.stderr
    # 0 when the checkout's schema is current; a stale one is tests/config/test_loader.py's to
    # report, so the packaged file only has to give the same answer as the checkout's.
    checkout = installed.source / "config" / "gemeenten"
    reference = installed.verhuizen("schema", "--check", VERHUIZEN_CONFIG_DIR=str(checkout))
    assert reference.returncode in (0, 1), reference.stderr
    assert schema.returncode == reference.returncode, schema.stderr

    scenarios = installed.verhuizen("check-scenarios")
    assert scenarios.returncode == 0, scenarios.stderr


def test_a_configuration_folder_that_is_not_there_is_named(installed: Installed) -> None:
    empty = installed.workdir / "leeg"
    empty.mkdir()
    schema = installed.verhuizen("schema", "--check", VERHUIZEN_CONFIG_DIR=str(empty))
    assert schema.returncode == 2
    assert "gemeente.schema.json niet gevonden" in schema.stderr
    assert "VERHUIZEN_CONFIG_DIR" in schema.stderr and "Traceback" not in schema.stderr

    missing = installed.workdir / "bestaat-niet"
    for args in (("schema", "--check"), ("check-config",), ("check-scenarios",)):
        result = installed.verhuizen(*args, VERHUIZEN_CONFIG_DIR=str(missing))
        assert result.returncode == 2, (args, result.stderr)
        assert f"configuratiemap {missing} niet gevonden" in result.stderr
        assert "VERHUIZEN_CONFIG_DIR" in result.stderr

    empty_config = installed.verhuizen("check-config", VERHUIZEN_CONFIG_DIR=str(empty))
    assert empty_config.returncode == 2
    assert "geen gemeente-bestanden" in empty_config.stderr
    assert "VERHUIZEN_CONFIG_DIR" in empty_config.stderr

    given = installed.verhuizen("check-config", str(missing))
    assert given.returncode == 2
    assert f"{missing} niet gevonden" in given.stderr and "check-config PAD" in given.stderr
