"""The receipt (ontvangstbewijs) of a submitted report, as a PDF the resident keeps: the
reference, when it was sent, every answer as the check page showed it, the requests sent with
it, what happens next and whom to ask.

The answers come from the report's stored summary (``samenvatting``, written by
``webapp.web.submit``), so the receipt shows what the resident confirmed, in their words, and
nothing more: a BSN only where the check page showed one.

The PDF is tagged (PDF/UA-1: a structure tree, a title, the language), so a screen reader can
read it. WeasyPrint renders it from ``templates/pdf/`` and may read only the files in that
folder (:func:`render_pdf`): no stylesheet, font or image from the network, whatever an answer
or a configuration holds. Fonts are the system's, found by fontconfig.

Rendering takes CPU (tenths of a second): call it in a worker thread, never in the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from jinja2 import Environment

from webapp.delivery.contract import Melding
from webapp.i18n import SOURCE_LOCALE, _, format_locale, get_locale, use_locale
from webapp.resources import TEMPLATES
from webapp.web.rendering import make_environment

if TYPE_CHECKING:
    from webapp.config.models import Gemeente

PDF_TEMPLATES = TEMPLATES / "pdf"
TEMPLATE = "pdf/ontvangstbewijs.html"
PDF_VARIANT = "pdf/ua-1"
SAMENVATTING = "samenvatting"
"""The key of the check page's rows in a stored report (``webapp.web.submit``)."""

try:
    _AMSTERDAM: Any = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    _AMSTERDAM = UTC


def bestandsnaam(melding: Melding) -> str:
    """The file name of the download: the reference only, which is no personal data."""
    return f"ontvangstbewijs-{melding.reference}.pdf"


def verstuurd_om(melding: Melding) -> datetime:
    """When the resident sent the report, in Dutch time."""
    at = melding.created_at
    if at.tzinfo is None:  # SQLite gives back naive datetimes; the store writes UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_AMSTERDAM)


def verstuurd(melding: Melding) -> str:
    """When the resident sent the report, in words: "27 november 2026 om 14:03"."""
    at = verstuurd_om(melding)
    locale = format_locale()
    return _("%(datum)s om %(tijd)s") % {
        "datum": format_date(at.date(), format="long", locale=locale),
        "tijd": format_time(at.time(), format="HH:mm", locale=locale),
    }


def rijen(melding: Melding) -> list[tuple[str, str]]:
    """The check page's rows (question, answer) as the resident confirmed them."""
    found: list[tuple[str, str]] = []
    for row in melding.answers.get(SAMENVATTING) or ():
        if isinstance(row, Mapping):
            found.append((str(row.get("vraag", "")), str(row.get("antwoord", ""))))
    return found


def aanvragen(melding: Melding) -> list[str]:
    """The requests sent along with the move, in words ("een huisvestingsvergunning")."""
    words = {"huisvestingsvergunning": _("een huisvestingsvergunning")}
    return [words.get(soort, soort) for soort, _details in melding.linked]


@cache
def _environment() -> Environment:
    return make_environment(TEMPLATES)


def html(gemeente: Gemeente, melding: Melding) -> str:
    """The receipt as HTML, the source of the PDF: in Dutch, whatever language the resident
    used, like the stored summary it shows (it is the same document the back office gets)."""
    with use_locale(SOURCE_LOCALE):
        return _html(gemeente, melding)


def _html(gemeente: Gemeente, melding: Melding) -> str:
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            taal=get_locale(),
            titel=_("Ontvangstbewijs verhuizing %(referentie)s")
            % {"referentie": melding.reference},
            gemeente=gemeente,
            referentie=melding.reference,
            verstuurd=verstuurd(melding),
            aangemaakt=verstuurd_om(melding).isoformat(timespec="seconds"),
            rijen=rijen(melding),
            aanvragen=aanvragen(melding),
            is_test=melding.is_test,
        )
    )


def ontvangstbewijs(gemeente: Gemeente, melding: Melding) -> bytes:
    """The receipt as a tagged PDF (PDF/UA-1)."""
    return render_pdf(html(gemeente, melding))


def render_pdf(source: str, *, refused: list[str] | None = None) -> bytes:
    """A tagged PDF of ``source`` (HTML whose relative URLs are files in ``templates/pdf``).
    Any other URL is refused and, when given, added to ``refused``; WeasyPrint then goes on
    without it (and logs a warning with the URL)."""
    # Importing WeasyPrint makes Pillow accept truncated images process-wide; the upload
    # check (webapp.uploads) switches that off again for itself.
    from weasyprint import HTML

    fetcher = _fetcher_class()(refused if refused is not None else [])
    document = HTML(string=source, base_url=str(PDF_TEMPLATES) + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def is_own_file(url: str) -> bool:
    """A ``file:`` URL of a file in ``templates/pdf`` (after resolving ``..`` and links)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return path.is_relative_to(PDF_TEMPLATES.resolve()) and path.is_file()


@cache
def _fetcher_class() -> type[Any]:
    # Made on first use, as WeasyPrint is imported on first use: serving pages does not load it.
    from weasyprint.urls import URLFetcher

    class OwnFilesOnly(URLFetcher):  # type: ignore[misc]
        """Reads the receipt's own files and refuses every other URL: a rendering never waits
        on, or tells, a server elsewhere."""

        def __init__(self, refused: list[str]) -> None:
            super().__init__(timeout=5, allowed_protocols=("file",), allow_redirects=False)
            self.refused = refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not is_own_file(url):
                self.refused.append(url)
                raise ValueError("het ontvangstbewijs laadt alleen zijn eigen bestanden")
            return super().fetch(url, headers)

    return OwnFilesOnly
