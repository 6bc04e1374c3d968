"""342 gemeenten in one folder: loaded, each file parsed once per change, and a request's work
the same as with three."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CONFIG_DIR, make_settings
from webapp.config import loader
from webapp.config.loader import ConfigError, load_dir
from webapp.config.source import ConfigSource

ALL = 342


def make_folder(target: Path, n: int) -> Path:
    """voorbeeld.yaml and ``n - 1`` copies with a slug and gemeentecode of their own."""
    target.mkdir()
    text = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
    assert 'gemeentecode: "9999"' in text and "naam: Voorbeeldstad" in text
    (target / "voorbeeld.yaml").write_text(text, encoding="utf-8")
    for i in range(1, n):
        body = text.replace('gemeentecode: "9999"', f'gemeentecode: "{1000 + i:04d}"', 1)
        body = body.replace("naam: Voorbeeldstad", f"naam: Proefstad {i}", 1)
        (target / f"proef-{i:04d}.yaml").write_text(body, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_folder(tmp_path_factory.mktemp("veel") / "gemeenten", ALL)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the texts parse_yaml is asked to parse, from now on (no earlier load
    counts: the cache is emptied first)."""
    seen: list[str] = []
    real = loader.parse_yaml

    def counting(text: str, name: str) -> Any:
        seen.append(name)
        return real(text, name)

    loader.clear_cache()
    monkeypatch.setattr(loader, "parse_yaml", counting)
    yield seen
    loader.clear_cache()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()  # visible even on a coarse file-system clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_342_configurations_load(many):
    gemeenten = load_dir(many)
    assert len(gemeenten) == ALL
    assert gemeenten["proef-0341"].naam == "Proefstad 341"
    assert gemeenten["proef-0341"].gemeentecode == "1341"
    assert len({g.gemeentecode for g in gemeenten.values()}) == ALL


def test_each_file_is_parsed_once_for_the_start_and_once_per_change(tmp_path, parses):
    folder = make_folder(tmp_path / "gemeenten", 20)
    load_dir(folder)  # as `verhuizen serve` checks the folder before the app starts
    source = ConfigSource(folder, reload=True)  # the app in the same process
    assert len(parses) == 20 and len(set(parses)) == 20

    parses.clear()
    edit(folder / "proef-0007.yaml", "naam: Proefstad 7", "naam: Zevenstad")
    assert source.refresh()
    assert [Path(name).name for name in parses] == ["proef-0007.yaml"]
    assert source.current()["proef-0007"].naam == "Zevenstad"

    parses.clear()
    assert not source.refresh()  # nothing changed: nothing read again
    edit(folder / "proef-0007.yaml", "naam: Zevenstad", "naam: Proefstad 7")
    assert source.refresh()  # back to a version seen before: known by its content
    assert parses == []
    assert source.current()["proef-0007"].naam == "Proefstad 7"


def test_an_invalid_file_is_parsed_once_and_its_problem_kept(tmp_path, parses):
    folder = make_folder(tmp_path / "gemeenten", 5)
    source = ConfigSource(folder, reload=True)
    parses.clear()
    edit(folder / "proef-0002.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    source.refresh()
    source.refresh()
    assert [Path(name).name for name in parses] == ["proef-0002.yaml"]
    assert source.error is not None
    [problem] = source.error.problems
    assert problem.file.endswith("proef-0002.yaml") and problem.line
    assert "verhuisdatumm" in problem.message
    # The same text loaded again (a command, another source) gets the same problem.
    with pytest.raises(ConfigError) as again:
        loader.load_file(folder / "proef-0002.yaml", display=problem.file)
    assert again.value.problems == [problem]
    assert len(parses) == 1


def test_a_syntax_error_names_file_and_line_with_the_c_loader(tmp_path):
    assert loader._YamlLoader is getattr(loader.yaml, "CSafeLoader", loader.yaml.SafeLoader)
    with pytest.raises(ConfigError) as exc:
        loader.load_text("naam: x\nstappen:\n  - id: a\n   type: [\n", "x", "x.yaml")
    [problem] = exc.value.problems
    assert problem.file == "x.yaml" and problem.line in (3, 4, 5)
    assert "geen geldige YAML" in problem.message


class Calls:
    """Counts the paths looked at outside the configuration check's thread: each os.stat call,
    each os.scandir call and each entry it yields (an entry's stat is one more file)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.counting = False
        real_stat, real_scandir = os.stat, os.scandir

        def stat(*args: Any, **kwargs: Any) -> Any:
            self._count(1)
            return real_stat(*args, **kwargs)

        calls = self

        class Scandir:
            def __init__(self, *args: Any) -> None:
                calls._count(1)
                self.entries = real_scandir(*args)

            def __enter__(self) -> Scandir:
                return self

            def __exit__(self, *exc: object) -> None:
                self.entries.close()

            def __iter__(self) -> Scandir:
                return self

            def __next__(self) -> Any:
                entry = next(self.entries)
                calls._count(1)
                return entry

            def close(self) -> None:
                self.entries.close()

        monkeypatch.setattr(os, "stat", stat)
        monkeypatch.setattr(os, "scandir", Scandir)

    def _count(self, n: int) -> None:
        if self.counting and threading.current_thread().name != "configuratie-controle":
            self.count += n


def request_work(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Stat calls on the request path, and folder scans, for 20 pages; every request may start
    a check (interval 0), which runs in its own thread."""
    from starlette.testclient import TestClient

    from webapp.web.app import create_app

    settings = make_settings(
        tmp_path, VERHUIZEN_CONFIG_DIR=str(folder), VERHUIZEN_DATA_DIR=str(tmp_path / "data")
    )
    app = create_app(settings)
    source = app.state.services.config
    source.interval = 0
    calls = Calls(monkeypatch)
    parsed: list[str] = []
    real = loader.parse_yaml
    monkeypatch.setattr(loader, "parse_yaml", lambda t, n: parsed.append(n) or real(t, n))
    with TestClient(app) as client:
        client.get("/voorbeeld/")  # templates compiled, pools started
        source.wait(10)
        scans = source.scans
        calls.counting = True
        for _ in range(10):
            assert client.get("/voorbeeld/").status_code == 200
            assert client.get("/gezond").status_code == 200
            source.wait(10)
        calls.counting = False
    assert parsed == []  # nothing changed: nothing parsed
    return calls.count, source.scans - scans


def test_a_request_does_the_same_work_with_342_configurations_as_with_3(
    many, tmp_path, monkeypatch
):
    few = make_folder(tmp_path / "weinig", 3)
    stats_few, scans_few = request_work(few, tmp_path / "a", monkeypatch)
    stats_many, scans_many = request_work(many, tmp_path / "b", monkeypatch)
    assert stats_many == stats_few
    # In development Jinja looks whether each template of the page changed (three for the start
    # page) and asset() hashes each static file it names again (four, a stat or two each): a
    # few per page, none per gemeente (342 gemeenten would be thousands).
    assert stats_many <= 10 * 12
    assert 1 <= scans_many <= 20 and 1 <= scans_few <= 20  # the checks ran, in their thread


def test_within_the_second_a_request_does_not_look_at_the_folder(many):
    clock = [100.0]
    source = ConfigSource(many, reload=True, clock=lambda: clock[0])
    scans = source.scans
    for _ in range(1000):
        source.current()
    source.wait(10)
    assert source.scans == scans
    clock[0] += 1.0
    for _ in range(1000):
        source.current()
    source.wait(10)
    assert source.scans == scans + 1
