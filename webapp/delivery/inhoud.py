"""What a submitted report says, read the same way for every delivery target: the new address,
the moving date, who moves along, the housing permit, the contact details and the files.

The stored answers are keyed by step id, which each gemeente chooses; this module reads them by
step *type*, so a target works for every gemeente's configuration. A record that names the type
of each step (``typen``) is read by it; an older record without it is read by the shape each
step type's ``parse`` gives its answer (``webapp.steps``), which no other type shares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from sqlmodel import Session, select

from webapp.delivery.contract import Melding, Toestemming, ToestemmingStatus
from webapp.domain.household import Grond
from webapp.registers.adressen import Adres
from webapp.storage.models import Submission

if TYPE_CHECKING:
    from webapp.storage.store import Store

STAPPEN = "stappen"
"""The key of the answers by step id in a stored record (``webapp.web.submit``)."""
TYPEN = "typen"
"""The key of the step types by step id in a stored record, where it has one."""
HUISVESTINGSVERGUNNING = "huisvestingsvergunning"
"""The soort of the linked request for a housing permit (``Melding.linked``)."""

try:
    _AMSTERDAM: Any = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    _AMSTERDAM = UTC


class InhoudOntbreekt(LookupError):
    """The report lacks a part a target needs (a new address, a moving date, a file), so
    delivering it again will not help. The message names the part, never a value."""


# -- the answers by step type ----------------------------------------------------------------


def antwoorden(melding: Melding) -> Mapping[str, Mapping[str, Any]]:
    """The answers by step id, in the order of the journey."""
    record = melding.answers
    stappen = record.get(STAPPEN, record)
    if not isinstance(stappen, Mapping):
        raise InhoudOntbreekt("de melding heeft geen antwoorden per stap")
    return {k: v for k, v in stappen.items() if isinstance(v, Mapping)}


def _is_address(a: Mapping[str, Any]) -> bool:
    adres = a.get("adres")
    return isinstance(adres, Mapping) and "postcode" in adres and "huisnummer" in adres


# The shape of each type's stored answer, as its ``parse`` makes it.
_SHAPES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "nieuw_adres": _is_address,
    "verhuisdatum": lambda a: isinstance(a.get("datum"), str) and "te_laat" in a,
    "meeverhuizers": lambda a: isinstance(a.get("personen"), list),
    "huisvestingsvergunning": lambda a: a.get("keuze") in ("heb_al", "aanvragen"),
    "documenten": lambda a: isinstance(a.get("bestanden"), Mapping),
    "contactgegevens": lambda a: set(a) == {"email", "telefoon"},
    "woonsituatie": lambda a: "woonvorm" in a,
    "hoofdbewoner": lambda a: a.get("route") in ("online", "papier"),
}


def stap_typen(melding: Melding) -> dict[str, str]:
    """The step type of each answered step; a step of a type not recognised is left out."""
    recorded = melding.answers.get(TYPEN)
    if isinstance(recorded, Mapping):
        return {str(k): str(v) for k, v in recorded.items()}
    found: dict[str, str] = {}
    for step_id, answer in antwoorden(melding).items():
        for soort, fits in _SHAPES.items():
            if fits(answer):
                found[step_id] = soort
                break
    return found


def van_type(melding: Melding, soort: str) -> list[Mapping[str, Any]]:
    """The answers of the steps of one type, in the order of the journey."""
    typen = stap_typen(melding)
    return [a for step_id, a in antwoorden(melding).items() if typen.get(step_id) == soort]


def _first(melding: Melding, soort: str, part: str) -> Mapping[str, Any]:
    found = van_type(melding, soort)
    if not found:
        raise InhoudOntbreekt(f"de melding heeft geen {part} (geen stap van type {soort!r})")
    return found[0]


# -- the parts of a report -------------------------------------------------------------------


@dataclass(frozen=True)
class NieuwAdres:
    adres: Adres
    """As the address register gave it (BAG ids, street, postcode, woonplaats, gemeente)."""
    bewoners: int
    """The people registered at the address when the resident reported the move."""


# Parts of an address the register may not know.
_ADRES_OPTIONAL = frozenset(
    {
        "huisletter",
        "huisnummertoevoeging",
        "wijkcode",
        "wijknaam",
        "buurtcode",
        "buurtnaam",
        "oppervlakte",
    }
)


def nieuw_adres(melding: Melding) -> NieuwAdres:
    answer = _first(melding, "nieuw_adres", "nieuw adres")
    raw = answer["adres"]
    try:
        values = {
            f.name: raw.get(f.name) if f.name in _ADRES_OPTIONAL else raw[f.name]
            for f in fields(Adres)
            if f.name != "gebruiksdoelen"
        }
        values["huisnummer"] = int(values["huisnummer"])
        values["gebruiksdoelen"] = tuple(raw.get("gebruiksdoelen") or ())
    except (KeyError, TypeError, ValueError):
        raise InhoudOntbreekt("het nieuwe adres in de melding is onvolledig") from None
    return NieuwAdres(Adres(**values), int(answer.get("bewoners") or 0))


@dataclass(frozen=True)
class Verhuisdatum:
    datum: date
    """The date the resident gave."""
    te_laat: bool
    """Reported later than the gemeente's window allows (art. 2.39 Wet BRP)."""
    geldt: date
    """The date that counts: the day of reporting for a late report, else ``datum``."""


def verhuisdatum(melding: Melding) -> Verhuisdatum:
    answer = _first(melding, "verhuisdatum", "verhuisdatum")
    try:
        datum = date.fromisoformat(answer["datum"])
        late = bool(answer.get("te_laat"))
        geldt = date.fromisoformat(answer["geregistreerde_datum"]) if late else datum
    except (KeyError, TypeError, ValueError):
        raise InhoudOntbreekt("de verhuisdatum in de melding is onleesbaar") from None
    return Verhuisdatum(datum, late, geldt)


@dataclass(frozen=True)
class Meeverhuizer:
    bsn: str
    naam: str
    geboortedatum: date | None
    grond: Grond
    """Why the resident may report for this person (``webapp.domain.household``)."""


def meeverhuizers(melding: Melding) -> list[Meeverhuizer]:
    """The people who move along, in the order they were offered; none when nobody does."""
    people: list[Meeverhuizer] = []
    for answer in van_type(melding, "meeverhuizers"):
        for p in answer.get("personen", []):
            try:
                born = p.get("geboortedatum")
                people.append(
                    Meeverhuizer(
                        bsn=str(p["bsn"]),
                        naam=str(p.get("naam") or ""),
                        geboortedatum=date.fromisoformat(born) if born else None,
                        grond=Grond(p["grond"]),
                    )
                )
            except (KeyError, TypeError, ValueError):
                raise InhoudOntbreekt("een meeverhuizer in de melding is onleesbaar") from None
    return people


@dataclass(frozen=True)
class Huisvestingsvergunning:
    aangevraagd: bool
    """Applied for with this report (a linked request)."""
    nummer: str | None
    """The number of the permit the resident already holds."""


def huisvestingsvergunning(melding: Melding) -> Huisvestingsvergunning | None:
    """What the report says about a housing permit; None when it says nothing."""
    aangevraagd = any(soort == HUISVESTINGSVERGUNNING for soort, _ in melding.linked)
    nummer = next(
        (
            str(a["nummer"])
            for a in van_type(melding, "huisvestingsvergunning")
            if a.get("keuze") == "heb_al" and a.get("nummer")
        ),
        None,
    )
    if not aangevraagd and nummer is None:
        return None
    return Huisvestingsvergunning(aangevraagd, nummer)


@dataclass(frozen=True)
class Contact:
    email: str | None = None
    telefoon: str | None = None


def contactgegevens(melding: Melding) -> Contact:
    """The resident's e-mail address and phone number, where given."""
    for answer in van_type(melding, "contactgegevens"):
        return Contact(answer.get("email") or None, answer.get("telefoon") or None)
    return Contact()


def _dutch_day(at: datetime) -> date:
    if at.tzinfo is None:  # SQLite gives back naive datetimes; the store writes UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_AMSTERDAM).date()


def ingediend_op(melding: Melding) -> date:
    """The day the resident sent the report, in the Netherlands."""
    return _dutch_day(melding.created_at)


def stable_id(melding: Melding, deel: str, *, max_length: int) -> str:
    """An id for a part of the report (a file, a receipt) that is the same on every attempt, so
    a retry finds what the first one made: the reference and the part, or, when that is too
    long, the reference and a short hash of the part."""
    readable = f"{melding.reference}-{deel}"
    if len(readable) <= max_length:
        return readable
    digest = hashlib.sha256(deel.encode()).hexdigest()[:8]
    return f"{melding.reference}-{digest}"[:max_length]


# -- the hoofdbewoner and their consent ------------------------------------------------------

ONLINE = "online"
PAPIER = "papier"


@dataclass(frozen=True)
class Hoofdbewoner:
    """Whom the resident named as the hoofdbewoner (inwoning) and how they consent."""

    route: str
    """``online`` (the hoofdbewoner decides after logging in) or ``papier`` (a signed
    statement, uploaded with the report)."""
    bsn: str | None
    """None when the hoofdbewoner is not registered at the address (yet)."""
    naam: str | None
    """Initials and surname, as the resident chose them ("J. de Vries")."""


def hoofdbewoner(melding: Melding) -> Hoofdbewoner | None:
    """The answer of the ``hoofdbewoner`` step; None when the report has none."""
    for answer in van_type(melding, "hoofdbewoner"):
        route = answer.get("route")
        if route not in (ONLINE, PAPIER):
            raise InhoudOntbreekt("de keuze van de hoofdbewoner in de melding is onleesbaar")
        bsn = answer.get("hoofdbewoner_bsn")
        naam = answer.get("hoofdbewoner_naam")
        return Hoofdbewoner(
            route=str(route),
            bsn=bsn if isinstance(bsn, str) and bsn else None,
            naam=naam if isinstance(naam, str) and naam else None,
        )
    return None


def lange_datum(at: datetime) -> str:
    """A moment as the Dutch day in words: "15 januari 2027" (for the back office, so Dutch
    whatever the language of the resident)."""
    return format_date(_dutch_day(at), format="long", locale="nl")


def toestemming_tekst(toestemming: Toestemming) -> str:
    """The state of the hoofdbewoner's online consent in words, for a message to the back
    office: "in afwachting (termijn tot 15 januari 2027)", "gegeven op 3 januari 2027 door de
    hoofdbewoner", ...; no name or BSN in it."""
    status = toestemming.status
    termijn = lange_datum(toestemming.termijn)
    if status is ToestemmingStatus.GEVRAAGD:
        return f"in afwachting (termijn tot {termijn})"
    if status is ToestemmingStatus.VERLOPEN:
        return f"niet ontvangen binnen de termijn (tot {termijn})"
    woord = "gegeven" if status is ToestemmingStatus.GEGEVEN else "geweigerd"
    op = f" op {lange_datum(toestemming.besloten_op)}" if toestemming.besloten_op else ""
    return f"{woord}{op} door de hoofdbewoner"


def toestemming_uitkomst(toestemming: Toestemming) -> str:
    """The outcome in a few words, for a subject line: "gegeven", "geweigerd", "niet
    ontvangen binnen de termijn" (or "in afwachting")."""
    return {
        ToestemmingStatus.GEVRAAGD: "in afwachting",
        ToestemmingStatus.GEGEVEN: "gegeven",
        ToestemmingStatus.GEWEIGERD: "geweigerd",
        ToestemmingStatus.VERLOPEN: "niet ontvangen binnen de termijn",
    }[toestemming.status]


def toestemming_stand(melding: Melding) -> str | None:
    """How the hoofdbewoner consents and where that stands, in words; None when the report
    asks no consent (no inwoning, or a gemeente without a ``hoofdbewoner`` step)."""
    if melding.toestemming is not None:
        return "online: " + toestemming_tekst(melding.toestemming)
    gekozen = hoofdbewoner(melding)
    if gekozen is None:
        return None
    if gekozen.route == PAPIER:
        return "met een getekende verklaring (bij de bijlagen)"
    # Online chosen, but no consent request with the report: the store did not make one.
    return "online gevraagd; de stand is niet bekend"


# -- the files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bijlage:
    document: str
    """The document's id in the gemeente configuration (``documenten``)."""
    bestandsnaam: str
    content_type: str
    data: bytes


def bijlagen(store: Store, melding: Melding) -> list[Bijlage]:
    """The files the resident sent with the report, decrypted, in the order of the answers.

    Only the files the answers name: a file stored for a document that no longer applied (the
    resident changed an answer) stays behind.
    """
    named = [
        doc_id
        for answer in van_type(melding, "documenten")
        for doc_id in answer.get("bestanden", {})
    ]
    if not named:
        return []
    with Session(store.engine) as db:
        submission = db.exec(
            select(Submission).where(Submission.reference == melding.reference)
        ).first()
    if submission is None or submission.gemeente != melding.gemeente:
        raise InhoudOntbreekt("de melding staat niet in de database")
    stored = store.uploads(submission.draft_id)
    files: list[Bijlage] = []
    for doc_id in dict.fromkeys(named):
        info = stored.get(doc_id)
        data = store.upload_data(submission.draft_id, doc_id) if info else None
        if info is None or data is None:
            raise InhoudOntbreekt(f"het bestand voor document {doc_id!r} ontbreekt")
        files.append(Bijlage(doc_id, info.bestandsnaam, info.content_type, data))
    return files
