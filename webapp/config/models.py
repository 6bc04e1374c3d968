"""The typed model of one gemeente's configuration file (``config/gemeenten/<slug>.yaml``)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from webapp.conditions import Conditie
from webapp.i18n import N_, _
from webapp.tekst import TekstVeld
from webapp.themes import THEMES
from webapp.themes import known as known_themes
from webapp.validators import PERIOD_UNITS, DateWindow, Period


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


def _postcode(value: str) -> str:
    if not _POSTCODE.match(value):
        raise ValueError("verwacht een postcode als 3026AA")
    return value.replace(" ", "").upper()


class PostcodeBereik(_Model):
    """An inclusive range of postcodes, e.g. 3026AA to 3026ZZ."""

    van: str
    tot: str

    _v = field_validator("van", "tot")(_postcode)

    def bevat(self, postcode: str) -> bool:
        return self.van <= postcode.upper() <= self.tot


class Straat(_Model):
    naam: str
    postcodes: list[PostcodeBereik] = Field(
        default_factory=list, description="Alleen deze postcodes van de straat (leeg: alle)."
    )


class GebiedDefinitie(_Model):
    """An area: addresses match by wijk code, buurt code, postcode range or street."""

    naam: str
    wijkcodes: list[str] = Field(default_factory=list)
    buurtcodes: list[str] = Field(default_factory=list)
    postcodes: list[PostcodeBereik] = Field(default_factory=list)
    straten: list[Straat] = Field(default_factory=list)

    @field_validator("wijkcodes")
    @classmethod
    def _wijk(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not re.fullmatch(r"WK\d{6}", code):
                raise ValueError(f"verwacht een CBS-wijkcode als WK059915, niet {code!r}")
        return codes

    @field_validator("buurtcodes")
    @classmethod
    def _buurt(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not re.fullmatch(r"BU\d{8}", code):
                raise ValueError(f"verwacht een CBS-buurtcode als BU05991571, niet {code!r}")
        return codes

    def bevat(
        self, *, wijkcode: str | None, buurtcode: str | None, postcode: str, straat: str
    ) -> bool:
        if wijkcode and wijkcode in self.wijkcodes:
            return True
        if buurtcode and buurtcode in self.buurtcodes:
            return True
        if any(r.bevat(postcode) for r in self.postcodes):
            return True
        for s in self.straten:
            if s.naam.casefold() == straat.casefold() and (
                not s.postcodes or any(r.bevat(postcode) for r in s.postcodes)
            ):
                return True
        return False


class Contact(_Model):
    telefoon: str
    email: str | None = None
    website: str
    bezoekadres: str | None = None
    openingstijden: TekstVeld | None = None


class Links(_Model):
    emigratie: str = Field(description="Pagina over verhuizen naar het buitenland.")
    eerste_inschrijving: str = Field(description="Pagina over inschrijven vanuit het buitenland.")
    toegankelijkheidsverklaring: str | None = None
    privacy: str | None = None


def _termijn(eenheid: str, kant: str) -> Any:
    richting = "voor" if kant == "vooruit" else "na"
    return Field(
        default=None,
        ge=0,
        description=f"Hoeveel {eenheid} {richting} de verhuisdatum een melding kan "
        f"(één van dagen_{kant}, weken_{kant}, maanden_{kant}).",
    )


class Datumvenster(_Model):
    """The window of art. 2.39 Wet BRP and what happens to a late report.

    Each side is given in days, weeks or calendar months (at most one per side); without
    any, the law's 5 days after and 4 weeks before the moving date apply. There is no cap:
    the dates are clamped to the calendar, and every text is written from the window."""

    dagen_terug: int | None = _termijn("dagen", "terug")
    weken_terug: int | None = _termijn("weken", "terug")
    maanden_terug: int | None = _termijn("maanden", "terug")
    dagen_vooruit: int | None = _termijn("dagen", "vooruit")
    weken_vooruit: int | None = _termijn("weken", "vooruit")
    maanden_vooruit: int | None = _termijn("maanden", "vooruit")
    te_laat: Literal["accepteren", "weigeren"] = Field(
        default="accepteren",
        description="accepteren: de datum van de melding wordt de verhuisdatum; "
        "weigeren: de inwoner moet contact opnemen.",
    )
    te_laat_tekst: TekstVeld = Field(
        default=N_(
            "U geeft uw verhuizing later door dan de wet toestaat. "
            "Als verhuisdatum registreren wij de datum van vandaag."
        ),
        description="Bij te_laat: accepteren, wat de inwoner leest na een datum vóór het venster.",
    )
    te_laat_weigeren_tekst: TekstVeld | None = Field(
        default=None,
        min_length=1,
        description="Bij te_laat: weigeren, de foutmelding bij een datum vóór het venster "
        "(leeg: een tekst met de termijn, de eerste datum en het telefoonnummer).",
    )
    te_vroeg_tekst: TekstVeld | None = Field(
        default=None,
        min_length=1,
        description="De foutmelding bij een datum na het venster (leeg: een tekst met de "
        "termijn en de laatste datum).",
    )

    @model_validator(mode="after")
    def _een_per_kant(self) -> Datumvenster:
        for kant in ("terug", "vooruit"):
            given = [
                f"{u}_{kant}" for u in PERIOD_UNITS if getattr(self, f"{u}_{kant}") is not None
            ]
            if len(given) > 1:
                raise ValueError(f"geef één van {' en '.join(given)}, niet beide")
        if self.te_laat_weigeren_tekst is not None and self.te_laat != "weigeren":
            raise ValueError("te_laat_weigeren_tekst geldt alleen bij te_laat: weigeren")
        return self

    def _kant(self, kant: str, default: Period) -> Period:
        for unit in PERIOD_UNITS:
            amount = getattr(self, f"{unit}_{kant}")
            if amount is not None:
                return Period(amount, unit)
        return default

    @property
    def terug(self) -> Period:
        """How long after the moving date a report is still on time."""
        return self._kant("terug", Period(5))

    @property
    def vooruit(self) -> Period:
        """How long before the moving date a report can be made."""
        return self._kant("vooruit", Period(4, "weken"))

    @property
    def venster(self) -> DateWindow:
        return DateWindow(self.terug, self.vooruit)

    def beschrijving(self) -> str:
        """The window in one sentence for the start page, in the current language."""
        voor, na = self.vooruit, self.terug
        if voor.amount and na.amount:
            text = _(
                "U kunt uw verhuizing doorgeven vanaf %(voor)s voor tot %(na)s na de verhuisdatum."
            )
        elif na.amount:
            text = _("U kunt uw verhuizing doorgeven vanaf de verhuisdatum tot %(na)s erna.")
        elif voor.amount:
            text = _(
                "U kunt uw verhuizing doorgeven vanaf %(voor)s voor de verhuisdatum tot en met "
                "de verhuisdatum zelf."
            )
        else:
            text = _("U kunt uw verhuizing alleen op de verhuisdatum zelf doorgeven.")
        return text % {"voor": voor.describe(), "na": na.describe()}


class Document(_Model):
    """A document a resident uploads, asked for when its condition holds."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: TekstVeld
    uitleg: TekstVeld | None = None
    verplicht: bool = True
    als: Conditie | None = None


FileKind = Literal["pdf", "jpeg", "png"]


def _all_kinds() -> list[FileKind]:
    return ["pdf", "jpeg", "png"]


class Uploads(_Model):
    max_mb: float = Field(default=10, gt=0, le=50)
    types: list[FileKind] = Field(default_factory=_all_kinds)


class Signalen(_Model):
    """Landelijke Aanpak Adreskwaliteit: signals for the back office, never a block."""

    min_m2_per_persoon: float | None = Field(default=None, gt=0)


class Bewaren(_Model):
    """Retention of personal data: ``verhuizen opschonen`` deletes what is older."""

    concept_dagen: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Dagen dat een niet verstuurde melding (antwoorden en bestanden) bewaard "
        "blijft na de laatste wijziging.",
    )
    na_aflevering_dagen: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Dagen dat een verstuurde melding met bijlagen bewaard blijft na aflevering "
        "bij de gemeente. Zolang er geen aflevering aan een backoffice is, telt het versturen "
        "als aflevering.",
    )


class Koppelingen(_Model):
    """The gemeente's connections: login, BRP and address register, each a ``soort`` with its
    options (the loader validates them with :mod:`webapp.koppelingen`). Absent: the settings'
    default (``VERHUIZEN_LOGIN``, ``VERHUIZEN_BRP``, ``VERHUIZEN_ADRESSEN``)."""

    login: Any = Field(
        default=None, description="Hoe inwoners inloggen: DigiD via een makelaar (OpenID Connect)."
    )
    brp: Any = Field(default=None, description="Waar de personen vandaan komen (BRP).")
    adressen: Any = Field(
        default=None, description="Het adresregister voor het nieuwe adres (PDOK of BAG)."
    )
    niveau: Literal["basis", "midden", "substantieel", "hoog"] = Field(
        default="midden",
        description="Het DigiD-betrouwbaarheidsniveau dat deze dienst vraagt; wie lager inlogt, "
        "krijgt een uitleg en geen toegang.",
    )
    adres_storing: Literal["doorgaan", "stoppen"] = Field(
        default="stoppen",
        description="Als het adresregister niet antwoordt: 'doorgaan' neemt het adres zoals "
        "ingevuld aan (de melding krijgt het signaal 'adres handmatig controleren'), 'stoppen' "
        "vraagt de inwoner het later opnieuw te proberen.",
    )


class BevestigingMail(_Model):
    """The confirmation e-mail to the resident, when they gave an e-mail address: the reference,
    the date, what happens next and a link; never the BSN, nor any answer
    (``webapp.delivery.bevestiging``)."""

    email: bool = Field(
        default=False,
        description="Stuur de inwoner een bevestiging per e-mail als die een e-mailadres gaf "
        "(nodig: VERHUIZEN_SMTP_URL).",
    )
    afzender: str | None = Field(
        default=None,
        validate_default=True,
        description="Het afzenderadres, bijv. noreply@voorbeeld.nl; verplicht als email aan staat.",
    )
    onderwerp: TekstVeld = Field(
        default=N_("Uw verhuizing is doorgegeven"),
        min_length=1,
        max_length=120,
        description="Het onderwerp; het referentienummer komt erachter.",
    )
    tekst: TekstVeld | None = Field(
        default=None,
        max_length=2000,
        description="Extra tekst in de e-mail, na 'Wat gebeurt er nu?'.",
    )
    link: str | None = Field(
        default=None,
        pattern=r"^https://\S+$",
        description="Link naar meer informatie over verhuizen; leeg: contact.website.",
    )

    @field_validator("afzender")
    @classmethod
    def _afzender(cls, value: str | None, info: Any) -> str | None:
        if value is None:
            if info.data.get("email"):
                raise ValueError("verplicht als email aan staat")
            return None
        if not re.fullmatch(r"[^@\s<>\"(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value):
            raise ValueError(f"verwacht een e-mailadres als noreply@voorbeeld.nl, niet {value!r}")
        return value


_THEMA_NAMEN: list[JsonValue] = list(known_themes())


class Gemeente(_Model):
    """One gemeente's configuration."""

    naam: str
    gemeentecode: str = Field(pattern=r"^\d{4}$", description="CBS-gemeentecode, bijv. 0599.")
    versie: str = Field(description="Versie van deze configuratie; staat bij elke melding.")
    thema: str = Field(
        default="neutraal",
        pattern=r"^[a-z][a-z0-9-]*$",
        description="NL Design System-thema (webapp/themes.py); 'neutraal' zonder eigen tokens.",
        json_schema_extra={"enum": _THEMA_NAMEN},
    )
    referentie_prefix: str = Field(default="VH", pattern=r"^[A-Z]{2,4}$")
    contact: Contact
    links: Links
    hulp: TekstVeld = Field(description="Tekst van het hulpblok op elke pagina.")
    intro: TekstVeld = Field(description="Tekst op de startpagina.")
    boete_tekst: TekstVeld | None = None
    na_melding: list[TekstVeld] = Field(
        description="Wat er na het versturen gebeurt (de bevestigingspagina).", min_length=1
    )
    datum: Datumvenster = Field(default_factory=Datumvenster)
    uploads: Uploads = Field(default_factory=Uploads)
    signalen: Signalen = Field(default_factory=Signalen)
    bewaren: Bewaren = Field(
        default_factory=Bewaren,
        description="Bewaartermijnen van persoonsgegevens; 'verhuizen opschonen' verwijdert wat "
        "ouder is.",
    )
    koppelingen: Koppelingen = Field(
        default_factory=Koppelingen,
        description="Inloggen, BRP en adresregister van deze gemeente; geheimen alleen als naam "
        "van een omgevingsvariabele.",
    )
    aflevering: list[Any] = Field(
        default_factory=list,
        description="Waar elke verstuurde melding heen gaat (vrijBRP, ZGW, e-mail, een map); "
        "leeg: de melding blijft alleen in de database van deze dienst.",
    )
    bevestiging: BevestigingMail = Field(
        default_factory=BevestigingMail,
        description="De bevestiging per e-mail aan de inwoner (referentienummer, datum, wat er "
        "nu gebeurt); nooit het BSN.",
    )
    gebieden: dict[str, GebiedDefinitie] = Field(default_factory=dict)
    documenten: list[Document] = Field(default_factory=list)
    stappen: list[Any] = Field(min_length=1, description="De stappen, in volgorde.")

    slug: str = Field(default="", exclude=True)

    @field_validator("thema")
    @classmethod
    def _thema(cls, value: str) -> str:
        if value not in THEMES:
            raise ValueError(f"onbekend thema {value!r}; bekend zijn: {', '.join(known_themes())}")
        return value

    def step(self, step_id: str) -> Any:
        for s in self.stappen:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def gebieden_van(
        self, *, wijkcode: str | None, buurtcode: str | None, postcode: str, straat: str
    ) -> list[str]:
        return [
            key
            for key, g in self.gebieden.items()
            if g.bevat(wijkcode=wijkcode, buurtcode=buurtcode, postcode=postcode, straat=straat)
        ]
