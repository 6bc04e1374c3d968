"""WCAG 2.2 success criteria at level A and AA, and how axe tags and our checks map onto them."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    sc: str  # "1.4.3"
    level: str  # "A" or "AA"
    nl: str  # name in the authorised Dutch translation
    en: str  # name in the W3C Recommendation


def _c(sc: str, level: str, nl: str, en: str) -> Criterion:
    return Criterion(sc, level, nl, en)


# WCAG 2.2 (W3C Recommendation, 12 December 2024 edition): 31 at level A and 24 at level AA.
# 4.1.1 Parsing is obsolete in 2.2 and not listed.
CRITERIA: tuple[Criterion, ...] = (
    _c("1.1.1", "A", "Niet-tekstuele content", "Non-text Content"),
    _c(
        "1.2.1",
        "A",
        "Louter-geluid en louter-videobeeld (vooraf opgenomen)",
        "Audio-only and Video-only (Prerecorded)",
    ),
    _c(
        "1.2.2",
        "A",
        "Ondertitels voor doven en slechthorenden (vooraf opgenomen)",
        "Captions (Prerecorded)",
    ),
    _c(
        "1.2.3",
        "A",
        "Audiodescriptie of media-alternatief (vooraf opgenomen)",
        "Audio Description or Media Alternative (Prerecorded)",
    ),
    _c("1.2.4", "AA", "Ondertitels voor doven en slechthorenden (live)", "Captions (Live)"),
    _c("1.2.5", "AA", "Audiodescriptie (vooraf opgenomen)", "Audio Description (Prerecorded)"),
    _c("1.3.1", "A", "Info en relaties", "Info and Relationships"),
    _c("1.3.2", "A", "Betekenisvolle volgorde", "Meaningful Sequence"),
    _c("1.3.3", "A", "Zintuiglijke eigenschappen", "Sensory Characteristics"),
    _c("1.3.4", "AA", "Weergavestand", "Orientation"),
    _c("1.3.5", "AA", "Identificeer het doel van de input", "Identify Input Purpose"),
    _c("1.4.1", "A", "Gebruik van kleur", "Use of Color"),
    _c("1.4.2", "A", "Geluidsbediening", "Audio Control"),
    _c("1.4.3", "AA", "Contrast (minimum)", "Contrast (Minimum)"),
    _c("1.4.4", "AA", "Herschalen van tekst", "Resize Text"),
    _c("1.4.5", "AA", "Afbeeldingen van tekst", "Images of Text"),
    _c("1.4.10", "AA", "Reflow", "Reflow"),
    _c("1.4.11", "AA", "Contrast van niet-tekstuele content", "Non-text Contrast"),
    _c("1.4.12", "AA", "Tekstafstand", "Text Spacing"),
    _c("1.4.13", "AA", "Content bij hover of focus", "Content on Hover or Focus"),
    _c("2.1.1", "A", "Toetsenbord", "Keyboard"),
    _c("2.1.2", "A", "Geen toetsenbordval", "No Keyboard Trap"),
    _c("2.1.4", "A", "Enkel teken sneltoetsen", "Character Key Shortcuts"),
    _c("2.2.1", "A", "Timing aanpasbaar", "Timing Adjustable"),
    _c("2.2.2", "A", "Pauzeren, stoppen, verbergen", "Pause, Stop, Hide"),
    _c(
        "2.3.1",
        "A",
        "Drie flitsen of beneden drempelwaarde",
        "Three Flashes or Below Threshold",
    ),
    _c("2.4.1", "A", "Blokken omzeilen", "Bypass Blocks"),
    _c("2.4.2", "A", "Paginatitel", "Page Titled"),
    _c("2.4.3", "A", "Focusvolgorde", "Focus Order"),
    _c("2.4.4", "A", "Linkdoel (in context)", "Link Purpose (In Context)"),
    _c("2.4.5", "AA", "Meerdere manieren", "Multiple Ways"),
    _c("2.4.6", "AA", "Koppen en labels", "Headings and Labels"),
    _c("2.4.7", "AA", "Focus zichtbaar", "Focus Visible"),
    _c("2.4.11", "AA", "Focus niet bedekt (minimum)", "Focus Not Obscured (Minimum)"),
    _c("2.5.1", "A", "Aanwijzergebaren", "Pointer Gestures"),
    _c("2.5.2", "A", "Aanwijzerannulering", "Pointer Cancellation"),
    _c("2.5.3", "A", "Label in naam", "Label in Name"),
    _c("2.5.4", "A", "Bewegingsactivering", "Motion Actuation"),
    _c("2.5.7", "AA", "Sleepbewegingen", "Dragging Movements"),
    _c("2.5.8", "AA", "Grootte van het aanwijsgebied (minimum)", "Target Size (Minimum)"),
    _c("3.1.1", "A", "Taal van de pagina", "Language of Page"),
    _c("3.1.2", "AA", "Taal van onderdelen", "Language of Parts"),
    _c("3.2.1", "A", "Bij focus", "On Focus"),
    _c("3.2.2", "A", "Bij input", "On Input"),
    _c("3.2.3", "AA", "Consistente navigatie", "Consistent Navigation"),
    _c("3.2.4", "AA", "Consistente identificatie", "Consistent Identification"),
    _c("3.2.6", "A", "Consistente hulp", "Consistent Help"),
    _c("3.3.1", "A", "Foutidentificatie", "Error Identification"),
    _c("3.3.2", "A", "Labels of instructies", "Labels or Instructions"),
    _c("3.3.3", "AA", "Foutsuggestie", "Error Suggestion"),
    _c(
        "3.3.4",
        "AA",
        "Foutpreventie (wettelijk, financieel, gegevens)",
        "Error Prevention (Legal, Financial, Data)",
    ),
    _c("3.3.7", "A", "Overbodige invoer", "Redundant Entry"),
    _c(
        "3.3.8",
        "AA",
        "Toegankelijke authenticatie (minimum)",
        "Accessible Authentication (Minimum)",
    ),
    _c("4.1.2", "A", "Naam, rol, waarde", "Name, Role, Value"),
    _c("4.1.3", "AA", "Statusberichten", "Status Messages"),
)

BY_SC: dict[str, Criterion] = {c.sc: c for c in CRITERIA}

# The axe-core tags that select WCAG 2.0, 2.1 and 2.2 A and AA rules (ACCESSIBILITY.md: all of them).
WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BEST_PRACTICE_TAGS: tuple[str, ...] = ("best-practice",)

_SC_TAG = re.compile(r"^wcag(\d)(\d)(\d{1,2})$")


def sc_from_tag(tag: str) -> str | None:
    """``wcag143`` -> ``1.4.3``, ``wcag1410`` -> ``1.4.10``; level tags like ``wcag21aa`` -> None."""
    match = _SC_TAG.match(tag)
    if match is None:
        return None
    return ".".join(match.groups())


def criteria_from_tags(tags: list[str] | tuple[str, ...]) -> list[str]:
    """The success criteria an axe rule's tags name, in order, without duplicates."""
    found: list[str] = []
    for tag in tags:
        sc = sc_from_tag(tag)
        if sc is not None and sc not in found:
            found.append(sc)
    return found


def sort_key(sc: str) -> tuple[int, ...]:
    """Numeric order: 1.4.3 before 1.4.10."""
    return tuple(int(part) if part.isdigit() else 0 for part in sc.split("."))


@dataclass(frozen=True)
class CheckInfo:
    """A machine check of ACCESSIBILITY.md: what it verifies and which criteria it gives evidence for."""

    id: str
    title: str
    criteria: tuple[str, ...]


CHECKS: dict[str, CheckInfo] = {
    c.id: c
    for c in (
        CheckInfo(
            "A1",
            "Paginatitel: 'Stap n van N: vraag - dienst - gemeente'; bij fouten begint hij met 'Fout: '",
            ("2.4.2", "3.3.1"),
        ),
        CheckInfo(
            "A2",
            "'Stap n van N' staat als tekst boven het formulier, niet erin en niet als klikbare lijst",
            ("1.3.1", "1.3.2"),
        ),
        CheckInfo(
            "A3",
            "Eén h1; het label of de legend is de h1; keuzes en datumdelen in fieldset met legend",
            ("1.3.1", "2.4.6"),
        ),
        CheckInfo(
            "A5",
            "De verzendknop heet 'Volgende stap' (laatste stap: de ingestelde knoptekst) en staat als laatste in het formulier",
            ("3.2.4",),
        ),
        CheckInfo(
            "A6",
            "Foutmeldingen: samenvatting boven de h1 met kop en role=alert, krijgt focus, links naar bestaande velden, dezelfde tekst als bij het veld, aria-invalid en aria-describedby, ingevulde waarden blijven staan",
            ("3.3.1", "1.3.1", "2.4.3", "4.1.2"),
        ),
        CheckInfo(
            "A7",
            "Formulieren hebben novalidate; verplichte velden met aria-required, optionele velden in tekst gemarkeerd; geen browservalidatie (required)",
            ("3.3.2", "4.1.2"),
        ),
        CheckInfo(
            "A9",
            "autocomplete op persoonsgegevens: postal-code, email, tel; alleen geldige tokens",
            ("1.3.5",),
        ),
        CheckInfo(
            "A11", "Elke 'Wijzigen'-link heeft een unieke toegankelijke naam", ("2.4.4", "2.4.6")
        ),
        CheckInfo(
            "A13",
            "Waarschuwing voor het verlopen van de sessie in een dialoog met focus en 'Sessie verlengen'",
            ("2.2.1",),
        ),
        CheckInfo(
            "A14", "Reflow: op 320 CSS-pixels breed geen horizontale scrollbalk", ("1.4.10",)
        ),
        CheckInfo(
            "A15",
            "Aanwijsgebied van knoppen, keuzerondjes en vinkvakjes (met label) minstens 24x24 CSS-pixels",
            ("2.5.8",),
        ),
        CheckInfo(
            "A16",
            "Focus niet bedekt: bij elke tabstop ligt het midden van het element met focus vrij",
            ("2.4.11",),
        ),
        CheckInfo(
            "A17",
            "Geen tabindex > 0; focusvolgorde volgt de visuele volgorde; focus zichtbaar (outline of box-shadow) bij elke tabstop",
            ("2.4.3", "2.4.7"),
        ),
        CheckInfo(
            "A21",
            "Statusberichten: een leeg role=status-gebied bij de eerste weergave, gevuld door htmx",
            ("4.1.3",),
        ),
        CheckInfo(
            "A24",
            "Geforceerde kleuren (Windows contrastthema): focus en randen van invoervelden blijven zichtbaar",
            ("2.4.7", "1.4.11"),
        ),
    )
}
