"""What the benchmark generates in its temp folder: test persons, gemeente configurations, and
the answers a journey posts.

- Test persons: the shipped test data plus clones of Gerda Willems (999990238, single adult in
  Voorbeeldstad), each with a BSN of its own and a current address of its own, so every load
  client has its own draft and an identical journey (nobody to take along).
- Configurations: copies of ``config/gemeenten/voorbeeld.yaml`` under other slugs and
  gemeentecodes; the first stays ``voorbeeld`` (its test addresses are the ones journeys use).
  For production each copy names a DigiD broker, a BRP and a delivery folder (production
  refuses the test login and the test registers); nothing is contacted at start-up.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.servers import ROOT

GEMEENTE = "voorbeeld"
PERSON = "999990238"  # Gerda Willems: single adult, Voorbeeldstad
SOURCE_CONFIG = ROOT / "config" / "gemeenten" / "voorbeeld.yaml"
SHIPPED_TESTDATA = ROOT / "webapp" / "registers" / "testdata"


def elfproef(bsn: str) -> bool:
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def clone_bsns(n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    candidate = 999_970_000
    while len(out) < n:
        candidate += 1
        bsn = str(candidate)
        if bsn not in taken and elfproef(bsn):
            out.append(bsn)
    return out


def make_testdata(target: Path, clones: int) -> list[str]:
    """Copy the shipped test data to ``target`` with ``clones`` extra persons; their BSNs."""
    shutil.copytree(SHIPPED_TESTDATA, target)
    persons_file, addresses_file = target / "brp-personen.json", target / "adressen.json"
    persons = json.loads(persons_file.read_text(encoding="utf-8"))
    addresses = json.loads(addresses_file.read_text(encoding="utf-8"))
    source = next(p for p in persons["personen"] if p["burgerservicenummer"] == PERSON)
    object_id = source["verblijfplaats"]["adresseerbaarObjectIdentificatie"]
    docs = addresses["response"]["docs"]
    source_address = next(d for d in docs if d.get("adresseerbaarobject_id") == object_id)
    taken = {p["burgerservicenummer"] for p in persons["personen"]}
    bsns = clone_bsns(clones, taken)
    for i, bsn in enumerate(bsns):
        number = 500 + i
        obj, nummer = f"9999010009{i:06d}", f"9999200009{i:06d}"
        person = json.loads(json.dumps(source))
        person["burgerservicenummer"] = bsn
        person["naam"] = {"geslachtsnaam": f"Bench{i:03d}", "voornamen": "Gerda"}
        place = person["verblijfplaats"]
        place["adresseerbaarObjectIdentificatie"] = obj
        place["nummeraanduidingIdentificatie"] = nummer
        place["verblijfadres"]["huisnummer"] = number
        persons["personen"].append(person)
        address = dict(source_address)
        address.update(
            huisnummer=number,
            weergavenaam=f"Dorpsstraat {number}, 9991AB Voorbeeldstad",
            nummeraanduiding_id=nummer,
            adresseerbaarobject_id=obj,
        )
        docs.append(address)
    persons_file.write_text(json.dumps(persons, ensure_ascii=False), encoding="utf-8")
    addresses_file.write_text(json.dumps(addresses, ensure_ascii=False), encoding="utf-8")
    return bsns


PRODUCTION_BLOCK = """
koppelingen:
  niveau: midden
  login:
    soort: digid-oidc
    issuer: https://makelaar.bench.example
    client_id: verhuizen-{slug}
    client_secret_env: BENCH_DIGID_SECRET
  brp:
    soort: haal-centraal
    url: https://brp.bench.example/haalcentraal/api/brp
    api_key_env: BENCH_BRP_KEY
  adressen:
    soort: pdok
aflevering:
  - soort: map
    pad: {outbox}
"""
PRODUCTION_ENV = {"BENCH_DIGID_SECRET": "bench-secret", "BENCH_BRP_KEY": "bench-key"}


def make_configs(target: Path, n: int, production: bool = False) -> Path:
    """``n`` gemeenten in ``target``: voorbeeld and ``n - 1`` copies (bench-0001, ...)."""
    target.mkdir(parents=True)
    text = SOURCE_CONFIG.read_text(encoding="utf-8")
    outbox = target.parent / f"{target.name}-meldingen"
    outbox.mkdir()
    for i in range(n):
        slug = GEMEENTE if i == 0 else f"bench-{i:04d}"
        body = text
        if i:
            code = f"{1000 + i:04d}"
            body = body.replace('gemeentecode: "9999"', f'gemeentecode: "{code}"', 1)
            body = body.replace("naam: Voorbeeldstad", f"naam: Benchstad {i}", 1)
        if production:
            body += PRODUCTION_BLOCK.format(slug=slug, outbox=outbox)
        (target / f"{slug}.yaml").write_text(body, encoding="utf-8")
    return target


def check_configs(config_dir: Path, env: dict[str, str]) -> str | None:
    """None when ``verhuizen check-config`` accepts the folder, else its output."""
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "check-config", str(config_dir)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return None if result.returncode == 0 else (result.stdout + result.stderr)[-3000:]


@dataclass(frozen=True)
class Answer:
    data: dict[str, str | list[str]]
    files: dict[str, tuple[str, bytes, str]]


def journey_answers(
    config_dir: Path, testdata: Path, today: date, slug: str = GEMEENTE
) -> dict[str, Answer]:
    """Each step's example answer (the step type's own), by step id, for gemeente ``slug``."""
    from webapp.config.loader import load_dir
    from webapp.steps import registry
    from webapp.testing.testdata import resident_data

    gemeenten: dict[str, Any] = load_dir(config_dir)
    gemeente = gemeenten[slug]
    ctx = resident_data(testdata).example_context(gemeente, today)
    answers = {}
    for cfg in gemeente.stappen:
        try:
            example = registry[cfg.type].example(cfg, ctx)
        except Exception:  # a step type without an example for this configuration
            continue
        files = {k: (f.filename, f.data, f.content_type) for k, f in example.files.items()}
        answers[cfg.id] = Answer(example.post_data(), files)
    return answers
