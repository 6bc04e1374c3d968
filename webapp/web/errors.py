"""Error pages: one Dutch page per status, with the gemeente's look when the URL names one.

Every error response passes the security headers middleware like any page (the 500 and 503
pages too: :class:`webapp.web.middleware.ServerErrors` renders them inside it).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from webapp.i18n import N_, _
from webapp.web.rendering import render

# Marked for the catalogue here, translated per request.
STATUS_TEXT = {
    400: (
        N_("Dit verzoek klopt niet"),
        N_(
            "Het formulier of de link is niet geldig. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    401: (
        N_("Alleen voor testers"),
        N_(
            "Dit is de testomgeving. Log in met het wachtwoord van de testomgeving; dat krijgt u van de beheerder."
        ),
    ),
    403: (
        N_("Geen toegang"),
        N_(
            "Het formulier is verlopen of niet via deze website verstuurd. Ga terug, laad de pagina opnieuw en probeer het nog eens. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    404: (
        N_("Pagina niet gevonden"),
        N_("Deze pagina bestaat niet. Controleer het adres of ga naar de startpagina."),
    ),
    405: (N_("Dit verzoek klopt niet"), N_("Deze pagina kan dit verzoek niet verwerken.")),
    409: (
        N_("Deze stap hoort niet bij uw melding"),
        N_(
            "De stap die u wilde versturen past niet bij uw eerdere antwoorden. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    413: (
        N_("Bestand te groot"),
        N_("Wat u verstuurde is te groot. Kies een kleiner bestand."),
    ),
    429: (
        N_("Even geduld"),
        N_(
            "U heeft dit in korte tijd vaak gedaan. Probeer het over %(seconden)s seconden opnieuw. Uw antwoorden zijn bewaard."
        ),
    ),
    500: (
        N_("Er ging iets mis"),
        N_("Probeer het later nog eens. Uw opgeslagen antwoorden zijn bewaard."),
    ),
    503: (
        N_("De dienst is even niet beschikbaar"),
        N_("Probeer het over een paar minuten opnieuw; uw antwoorden zijn bewaard."),
    ),
}
OTHER_STATUS_TEXT = (N_("Er ging iets mis"), N_("Probeer het later nog eens."))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    values = {"seconden": exc.detail} if exc.status_code == 429 else None
    return error_page(request, exc.status_code, headers=exc.headers, values=values)


def error_page(
    request: Request,
    status: int,
    *,
    headers: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
) -> Response:
    title, text = STATUS_TEXT.get(status, OTHER_STATUS_TEXT)
    services = request.app.state.services
    slug = request.path_params.get("slug")
    try:
        gemeente = services.gemeenten.get(slug) if slug else None
        response: Response = render(
            services.templates,
            "error.html",
            {
                "gemeente": gemeente,
                "titel": _(title),
                "tekst": _(text) % values if values else _(text),
                "status": status,
            },
            status,
        )
    except Exception:  # never fail while reporting a failure
        response = HTMLResponse(f"<h1>{status}</h1>", status_code=status)
    response.headers.update(headers or {})
    return response
