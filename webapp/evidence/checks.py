"""Machine checks for what axe cannot see (ACCESSIBILITY.md rows A1-A24 where a machine can).

Each check collects DOM facts in the page with one ``page.evaluate`` and judges them here, so
the judging stays readable and each result carries evidence text an auditor can follow. The
JavaScript that collects the facts is in ``webapp/evidence/js`` (one file per collector, see
``js/helpers.js``), put together by :func:`_js`.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from webapp.evidence import assets
from webapp.evidence.model import FAIL, PASS, REVIEW, Check
from webapp.evidence.wcag import CHECKS

if TYPE_CHECKING:
    from playwright.sync_api import Page

SERVICE = "Verhuizing doorgeven"
NEXT = "Volgende stap"
ERROR_PREFIX = "Fout: "
MIN_TARGET = 24.0
MAX_TAB_STOPS = 80
FOCUS_WAIT_MS = 3000
MIN_WARNING_S = 120  # A13: warn at least 2 minutes before the session expires

STEP_KINDS = frozenset({"step", "error", "lookup"})


@dataclass
class Context:
    """What a check needs to know about the state besides the DOM."""

    kind: str
    gemeente: str  # display name, as in "Gemeente Rotterdam"
    step_type: str | None = None
    expected_button: str | None = None
    typed: dict[str, str] = field(default_factory=dict)  # id -> value typed before the error
    one_question: bool = False
    """The page asks one question: its label or legend must be the h1 (A3); the step type
    says so (``StepType.one_question``)."""
    checks_answers: bool = False
    """The check-answers page (``StepType.checks_answers``): its change links are checked."""
    focus_wait_ms: int = FOCUS_WAIT_MS  # how long app.js may take to focus the error summary

    @property
    def is_step(self) -> bool:
        return self.kind in STEP_KINDS

    @property
    def is_error(self) -> bool:
        return self.kind in ("error", "login-error")


def check(id: str, ok: bool | None, evidence: str) -> Check:
    outcome = REVIEW if ok is None else (PASS if ok else FAIL)
    return Check(id=id, outcome=outcome, evidence=evidence, criteria=list(CHECKS[id].criteria))


def _lines(items: list[str], limit: int = 8) -> str:
    shown = items[:limit]
    more = f"; en {len(items) - limit} meer" if len(items) > limit else ""
    return "; ".join(shown) + more


# -- JavaScript shared by the fact collectors ------------------------------------------------


@cache
def _js(*names: str) -> str:
    """The function ``page.evaluate`` runs: ``js/helpers.js`` and then ``names`` as its body.

    The function takes one argument, ``arg`` (what the check passes to ``page.evaluate``).
    """
    body = "\n".join(assets.js(name) for name in ("helpers.js", *names))
    return "(arg) => {\n" + body + "\n}"


# -- A1 page title ---------------------------------------------------------------------------


def check_title(page: Page, ctx: Context) -> Check:
    facts = page.evaluate(_js("a1-title.js"))
    title: str = facts["title"]
    problems: list[str] = []
    has_error = title.startswith(ERROR_PREFIX)
    if ctx.is_error and not has_error:
        problems.append(f"begint niet met '{ERROR_PREFIX}' terwijl er een fout is")
    if not ctx.is_error and has_error:
        problems.append(f"begint met '{ERROR_PREFIX}' zonder fout")
    if facts["errors"] and not has_error:
        problems.append("de pagina toont een foutmelding (role=alert) maar de titel zegt het niet")
    bare = title.removeprefix(ERROR_PREFIX)
    suffix = f" - {SERVICE} - Gemeente {ctx.gemeente}"
    if ctx.is_step:
        match = re.fullmatch(r"Stap (\d+)(?: van (\d+))?: (.+)", bare.removesuffix(suffix))
        if not bare.endswith(suffix) or match is None:
            problems.append(f"heeft niet de vorm 'Stap n van N: vraag{suffix}'")
        else:
            n, total, question = match.groups()
            h1 = facts["h1"][0] if facts["h1"] else ""
            if not h1.startswith(question):
                problems.append(f"de vraag in de titel ({question!r}) is niet de h1 ({h1!r})")
            counter = f"Stap {n}" + (f" van {total}" if total else "")
            if facts["counter"] != counter:
                problems.append(
                    f"de stapteller op de pagina ({facts['counter']!r}) is niet {counter!r}"
                )
            if total and int(n) > int(total):
                problems.append(f"stap {n} is groter dan het totaal {total}")
    elif not bare.endswith(f"Gemeente {ctx.gemeente}") or len(bare) <= len(ctx.gemeente) + 12:
        problems.append(f"noemt niet eerst de pagina en dan 'Gemeente {ctx.gemeente}'")
    if problems:
        return check("A1", False, f"titel {title!r}: " + "; ".join(problems))
    return check("A1", True, f"titel {title!r}")


# -- A2 step counter -------------------------------------------------------------------------


def check_step_counter(page: Page, ctx: Context) -> Check:
    counters: list[dict[str, Any]] = page.evaluate(_js("a2-step-counter.js"))
    if not counters:
        return check("A2", False, "geen tekst 'Stap n van N' op de pagina")
    problems = []
    for c in counters:
        if c["inForm"]:
            problems.append(f"{c['desc']} staat in het formulier")
        if not c["beforeForm"]:
            problems.append(f"{c['desc']} staat niet boven het formulier")
        if c["clickable"]:
            problems.append(f"{c['desc']} staat in een link, knop, lijst of navigatie")
    if problems:
        return check("A2", False, _lines(problems))
    return check("A2", True, f"{counters[0]['desc']} boven het formulier, geen link")


# -- A3 one h1, label or legend is the h1, groups in fieldsets -------------------------------


def check_headings(page: Page, ctx: Context) -> Check:
    facts = page.evaluate(_js("a3-headings.js"))
    problems = []
    if len(facts["h1"]) != 1:
        problems.append(f"{len(facts['h1'])} h1-koppen: {facts['h1']}")
    if facts["ungrouped"]:
        problems.append("keuzes zonder fieldset met legend: " + _lines(facts["ungrouped"]))
    if facts["dateParts"]:
        problems.append("datumdelen zonder fieldset met legend: " + _lines(facts["dateParts"]))
    if ctx.one_question and facts["groups"] and facts["firstIsH1"] is False:
        problems.append(f"de h1 is niet het label of de legend van de vraag ({facts['first']})")
    if problems:
        return check("A3", False, "; ".join(problems))
    extra = " (de h1 is het label of de legend)" if ctx.one_question and facts["firstIsH1"] else ""
    return check("A3", True, f"één h1: {facts['h1'][0]!r}{extra}")


# -- A5 the submit button ---------------------------------------------------------------------


def check_submit_button(page: Page, ctx: Context) -> Check:
    expected = ctx.expected_button or NEXT
    facts = page.evaluate(_js("a5-submit-button.js"))
    if facts is None:
        return check("A5", False, "geen formulier in main")
    names: list[str] = facts["names"]
    problems = []
    if names != [expected]:
        problems.append(f"verzendknoppen {names}, verwacht precies [{expected!r}]")
    if not facts["lastIsSubmit"]:
        problems.append(f"de knop is niet het laatste bedieningselement (laatste: {facts['last']})")
    if problems:
        return check("A5", False, "; ".join(problems))
    return check("A5", True, f"één verzendknop {expected!r}, onderaan het formulier")


# -- A6 error summary and inline messages -----------------------------------------------------


def check_error_summary(page: Page, ctx: Context) -> Check:
    """Run on first render of an error state, before anything moves focus."""
    with contextlib.suppress(Exception):  # a timeout is a finding, reported below
        page.wait_for_function(_js("a6-summary-focused.js"), timeout=ctx.focus_wait_ms)
    facts = page.evaluate(_js("a6-error-summary.js"))
    if not facts["found"]:
        return check("A6", False, "geen foutsamenvatting met role=alert in main")
    problems = []
    if not facts["focused"]:
        problems.append(f"de samenvatting krijgt geen focus (focus op {facts['active']})")
    if not facts["alertInside"]:
        problems.append("role=alert staat op de samenvatting zelf, niet op een element erin")
    if not facts["beforeH1"]:
        problems.append("de samenvatting staat niet boven de h1")
    if facts["textBefore"]:
        problems.append(f"tekst in main vóór de samenvatting: {facts['textBefore']!r}")
    if not facts["heading"]:
        problems.append("de samenvatting heeft geen kop")
    links: list[dict[str, Any]] = facts["links"]
    if not links:
        problems.append("de samenvatting heeft geen links naar de velden")
    for link in links:
        where = f"link {link['href']!r} ({link['text']!r})"
        if not link["target"]:
            problems.append(f"{where}: geen element met die id")
            continue
        if not link["isField"]:
            problems.append(f"{where}: wijst naar {link['target']}, geen veld of veldgroep")
        if not link["msgId"]:
            problems.append(
                f"{where}: het veld noemt geen foutmelding in aria-describedby ({link['describedBy']})"
            )
        else:
            inline = re.sub(r"^Fout:\s*", "", link["msgText"] or "")
            if inline != link["text"]:
                problems.append(f"{where}: andere tekst dan bij het veld ({inline!r})")
            if not link["hiddenPrefix"]:
                problems.append(
                    f"{where}: de melding bij het veld begint niet met verborgen 'Fout: '"
                )
        if not link["invalid"]:
            problems.append(f'{where}: geen aria-invalid="true" op het veld')
    for field_id, value in ctx.typed.items():
        kept = page.evaluate(_js("a6-field-value.js"), field_id)
        if kept != value:
            problems.append(
                f"ingevulde waarde van #{field_id} niet bewaard ({kept!r} in plaats van {value!r})"
            )
    if problems:
        return check("A6", False, _lines(problems, 12))
    kept = f"; ingevulde waarden bewaard ({', '.join(ctx.typed)})" if ctx.typed else ""
    return check(
        "A6",
        True,
        f"samenvatting {facts['root']} met focus, kop en role=alert; {len(links)} link(s) naar "
        f"velden met dezelfde tekst, aria-invalid en aria-describedby{kept}",
    )


# -- A7 novalidate, aria-required -------------------------------------------------------------

_OPTIONAL = re.compile(r"niet verplicht|optioneel", re.IGNORECASE)


def check_form_validation(page: Page, ctx: Context) -> Check | None:
    facts = page.evaluate(_js("a7-form-validation.js"))
    if not facts["forms"]:
        return None
    problems = [f"{f['desc']} zonder novalidate" for f in facts["forms"] if not f["novalidate"]]
    problems += [f"{d} heeft het attribuut required (browservalidatie)" for d in facts["required"]]
    for f in facts["fields"]:
        required = f["ariaRequired"] == "true"
        optional = bool(_OPTIONAL.search(f["label"]))
        if not required and not optional and not f["existing"]:
            problems.append(
                f"{f['desc']}: niet aria-required en niet als '(niet verplicht)' gemarkeerd"
            )
        if required and optional:
            problems.append(f"{f['desc']}: aria-required maar gemarkeerd als niet verplicht")
    if problems:
        return check("A7", False, _lines(problems))
    return check(
        "A7",
        True,
        f"{len(facts['forms'])} formulier(en) met novalidate; {len(facts['fields'])} invoerveld(en) "
        "met aria-required of '(niet verplicht)'",
    )


# -- A9 autocomplete --------------------------------------------------------------------------

# Field names of the HTML autofill detail tokens (WHATWG HTML, 4.10.18.7.1).
AUTOFILL_FIELDS = frozenset(
    (
        "name",
        "honorific-prefix",
        "given-name",
        "additional-name",
        "family-name",
        "honorific-suffix",
        "nickname",
        "username",
        "new-password",
        "current-password",
        "one-time-code",
        "organization-title",
        "organization",
        "street-address",
        "address-line1",
        "address-line2",
        "address-line3",
        "address-level4",
        "address-level3",
        "address-level2",
        "address-level1",
        "country",
        "country-name",
        "postal-code",
        "cc-name",
        "cc-given-name",
        "cc-additional-name",
        "cc-family-name",
        "cc-number",
        "cc-exp",
        "cc-exp-month",
        "cc-exp-year",
        "cc-csc",
        "cc-type",
        "transaction-currency",
        "transaction-amount",
        "language",
        "bday",
        "bday-day",
        "bday-month",
        "bday-year",
        "sex",
        "url",
        "photo",
        "tel",
        "tel-country-code",
        "tel-national",
        "tel-area-code",
        "tel-local",
        "tel-local-prefix",
        "tel-local-suffix",
        "tel-extension",
        "email",
        "impp",
    )
)
AUTOFILL_MODIFIERS = frozenset(
    ("shipping", "billing", "home", "work", "mobile", "fax", "pager", "webauthn")
)
# (pattern over id, name and label; the token the field needs)
PERSONAL_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\be-?mail|\bemail", re.IGNORECASE), "email"),
    (re.compile(r"telefoon|phone|\btel\b|mobiel", re.IGNORECASE), "tel"),
    (re.compile(r"postcode|postal", re.IGNORECASE), "postal-code"),
    (re.compile(r"voornaam|given", re.IGNORECASE), "given-name"),
    (re.compile(r"achternaam|family|geslachtsnaam", re.IGNORECASE), "family-name"),
)


def autocomplete_valid(value: str) -> bool:
    tokens = value.lower().split()
    if tokens in (["on"], ["off"]):
        return True
    if not tokens:
        return False
    if tokens[0].startswith("section-"):
        tokens = tokens[1:]
    if tokens and tokens[-1] == "webauthn":
        tokens = tokens[:-1]
    return (
        bool(tokens)
        and tokens[-1] in AUTOFILL_FIELDS
        and all(t in AUTOFILL_MODIFIERS for t in tokens[:-1])
    )


def _needs_token(field: dict[str, Any]) -> str | None:
    if field["type"] == "email":
        return "email"
    if field["type"] == "tel":
        return "tel"
    haystack = f"{field['id']} {field['name']} {field['label']}"
    for pattern, token in PERSONAL_FIELDS:
        if pattern.search(haystack):
            return token
    return None


def check_autocomplete(page: Page, ctx: Context) -> Check | None:
    fields: list[dict[str, Any]] = page.evaluate(_js("a9-autocomplete.js"))
    problems, seen = [], []
    for f in fields:
        value = f["autocomplete"]
        if value is not None and not autocomplete_valid(value):
            problems.append(f"{f['desc']}: ongeldige autocomplete {value!r}")
        token = _needs_token(f)
        if token is None:
            continue
        seen.append(f"{f['desc']}={value!r}")
        tokens = (value or "").lower().split()
        if not tokens or not tokens[-1].startswith(token):
            problems.append(f"{f['desc']}: autocomplete {value!r}, verwacht {token!r}")
    if problems:
        return check("A9", False, _lines(problems))
    if not seen:
        return None
    return check("A9", True, _lines(seen))


# -- A11 unique "Wijzigen" names ----------------------------------------------------------------


def check_change_links(page: Page, ctx: Context) -> Check:
    links: list[dict[str, Any]] = page.evaluate(_js("a11-change-links.js"))
    names = [link["name"] for link in links]
    if not names:
        return check("A11", False, "geen 'Wijzigen'-links op de controlepagina")
    dupes = sorted({n for n in names if names.count(n) > 1})
    bare = [n for n in names if n.lower() in ("wijzigen", "wijzig")]
    problems = []
    if dupes:
        problems.append(f"dezelfde naam meer dan eens: {dupes}")
    if bare:
        problems.append(f"{len(bare)} link(s) heten alleen 'Wijzigen'")
    if problems:
        return check("A11", False, "; ".join(problems))
    return check("A11", True, f"{len(names)} unieke namen, bijv. {names[0]!r}")


# -- A13 session timeout dialog ---------------------------------------------------------------


def check_timeout_dialog(
    page: Page, ctx: Context, dialog_id: str, margin: str, seconds_left: int | None
) -> Check:
    facts = page.evaluate(_js("a13-timeout-dialog.js"), dialog_id)
    if facts is None:
        return check("A13", False, f"#{dialog_id} bestaat niet")
    problems = []
    if seconds_left is not None and seconds_left < MIN_WARNING_S:
        problems.append(f"de waarschuwing komt minder dan {MIN_WARNING_S} s voor het verlopen")
    if not facts["open"]:
        problems.append("de dialoog is niet geopend")
    if not facts["focusInside"]:
        problems.append(f"de focus staat niet in de dialoog (maar op {facts['active']})")
    if not any(b.lower().startswith("sessie verlengen") for b in facts["buttons"]):
        problems.append(f"geen knop 'Sessie verlengen' (knoppen: {facts['buttons']})")
    if not facts["labelled"]:
        problems.append("de dialoog heeft geen naam (aria-labelledby of aria-label)")
    if problems:
        return check("A13", False, "; ".join(problems) + (f"; {margin}" if margin else ""))
    kind = "modaal" if facts["modal"] else "niet modaal"
    return check(
        "A13",
        True,
        f"dialoog open ({kind}), focus erin, knoppen {facts['buttons']}; {margin}".rstrip("; "),
    )


# -- A14 reflow -----------------------------------------------------------------------------


def check_reflow(page: Page, ctx: Context, width: int) -> Check:
    facts = page.evaluate(_js("a14-reflow.js"))
    if facts["sw"] > width:
        return check(
            "A14",
            False,
            f"scrollWidth {facts['sw']}px > {width}px; te breed: " + _lines(facts["wide"], 6),
        )
    return check("A14", True, f"scrollWidth {facts['sw']}px <= {width}px")


# -- A15 target size -------------------------------------------------------------------------


def check_target_size(page: Page, ctx: Context) -> Check | None:
    targets: list[dict[str, Any]] = page.evaluate(_js("a15-target-size.js"))
    if not targets:
        return None
    small = [
        f"{t['desc']} {t['w']}x{t['h']} ({t['via']})"
        for t in targets
        if t["w"] < MIN_TARGET - 0.01 or t["h"] < MIN_TARGET - 0.01
    ]
    if small:
        return check("A15", False, "kleiner dan 24x24: " + _lines(small))
    smallest = min(targets, key=lambda t: min(t["w"], t["h"]))
    return check(
        "A15",
        True,
        f"{len(targets)} aanwijsgebieden >= 24x24; kleinste {smallest['desc']} "
        f"{smallest['w']}x{smallest['h']}",
    )


# -- A16/A17/A24 the Tab loop ----------------------------------------------------------------


def _transparent(color: str) -> bool:
    """``transparent``, ``rgba(r, g, b, 0)`` or ``rgb(r g b / 0)``; ``rgb(0, 0, 0)`` is black."""
    color = color.strip().lower()
    if color == "transparent":
        return True
    match = re.fullmatch(r"\w+\((.*)\)", color)
    if match is None:
        return False
    inner = match.group(1)
    parts = inner.split("/") if "/" in inner else inner.split(",")
    if ("/" in inner and len(parts) == 2) or len(parts) == 4:
        try:
            alpha = parts[-1].strip()
            return float(alpha.rstrip("%")) == 0
        except ValueError:
            return False
    return False


def _focus_visible(styles: list[dict[str, Any]], shadow_counts: bool) -> bool:
    for s in styles:
        if s["outline"] == "auto":
            return True
        if s["outline"] != "none" and s["width"] > 0 and not _transparent(s["color"]):
            return True
        if shadow_counts and s["shadow"] not in ("none", ""):
            return True
    return False


def tab_stops(page: Page) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until focus leaves the page or comes round again."""
    page.evaluate(_js("focus-reset.js"))
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(_js("measure.js", "focus-stop.js"))
        if stop is None or stop["key"] in seen:
            break
        seen.add(stop["key"])
        stops.append(stop)
    return stops


def _order_problems(stops: list[dict[str, Any]]) -> list[str]:
    """Consecutive stops must go left to right on a line and downwards between lines."""
    kept = [s for s in stops if not s["positioned"] and s["w"] > 1 and s["h"] > 1]
    problems = []
    for a, b in itertools.pairwise(kept):
        same_line = b["y"] < a["y"] + a["h"] - 2 and b["y"] + b["h"] > a["y"] + 2
        if same_line and b["x"] < a["x"] - 2:
            problems.append(f"{b['desc']} (links) na {a['desc']} op dezelfde regel")
        elif not same_line and b["y"] < a["y"]:
            problems.append(f"{b['desc']} (hoger) na {a['desc']}")
    return problems


def _focus_checks(
    stops: list[dict[str, Any]], tabindex: list[str], how: str, order: bool
) -> list[Check]:
    results = []
    obscured = [f"{s['desc']} (bovenop: {s['hit']})" for s in stops if not s["free"]]
    if not stops:
        results.append(check("A16", False, "geen enkele tabstop"))
    elif obscured:
        results.append(check("A16", False, f"focus bedekt ({how}): " + _lines(obscured)))
    else:
        results.append(
            check("A16", True, f"{len(stops)} tabstops ({how}), bij elk ligt het midden vrij")
        )
    problems = [f"tabindex > 0: {d}" for d in tabindex]
    invisible = [s["desc"] for s in stops if not _focus_visible(s["styles"], shadow_counts=True)]
    if invisible:
        problems.append("geen zichtbare focus (outline of box-shadow): " + _lines(invisible))
    if order:
        problems += ["volgorde: " + p for p in _order_problems(stops)]
    if not stops:
        problems.append("geen enkele tabstop")
    if problems:
        results.append(check("A17", False, "; ".join(problems)))
    else:
        path = " > ".join(s["desc"].split(" ")[0] for s in stops[:6])
        more = " ..." if len(stops) > 6 else ""
        what = f"in leesvolgorde ({path}{more}), " if order else ""
        results.append(
            check(
                "A17",
                True,
                f"{len(stops)} tabstops ({how}) {what}elk met zichtbare focus; geen tabindex > 0",
            )
        )
    return results


def check_focus(page: Page, ctx: Context) -> list[Check]:
    """A16 focus not obscured and A17 order, tabindex and visible focus, from a real Tab loop."""
    stops = tab_stops(page)
    return _focus_checks(stops, page.evaluate(_js("a17-tabindex.js")), "Tab-toets", order=True)


def check_focus_each(page: Page, ctx: Context) -> list[Check]:
    """A16 and A17 (without order) by focusing each element in focus order by script."""
    stops: list[dict[str, Any]] = page.evaluate(_js("measure.js", "focus-each.js"))
    return _focus_checks(
        stops, page.evaluate(_js("a17-tabindex.js")), "focus per element", order=False
    )


def check_forced_colors(page: Page, ctx: Context) -> Check:
    """A24: in forced colours box-shadow disappears, so only an outline shows focus."""
    page.emulate_media(forced_colors="active")
    try:
        stops: list[dict[str, Any]] = page.evaluate(_js("measure.js", "focus-each.js"))
        borders: list[str] = page.evaluate(_js("a24-borders.js"))
    finally:
        page.emulate_media(forced_colors="none")
    invisible = [s["desc"] for s in stops if not _focus_visible(s["styles"], shadow_counts=False)]
    problems = []
    if invisible:
        problems.append("focus zonder outline: " + _lines(invisible))
    if borders:
        problems.append("invoervelden zonder rand: " + _lines(borders))
    if problems:
        return check("A24", False, "; ".join(problems))
    return check(
        "A24",
        True,
        f"{len(stops)} tabstops met outline in geforceerde kleuren; invoervelden met rand",
    )


# -- A21 status messages ----------------------------------------------------------------------

_LIVE = ("polite", "assertive")


def check_status_first_render(page: Page, ctx: Context) -> Check | None:
    facts = page.evaluate(_js("a21-status.js"))
    targets, statuses = facts["targets"], facts["statuses"]
    if not targets and not statuses:
        return None
    problems = []
    for t in targets:
        if not t["exists"]:
            problems.append(f"{t['trigger']}: hx-target {t['sel']!r} bestaat niet")
            continue
        if t["role"] not in ("status", "alert", "log") and t["live"] not in _LIVE:
            problems.append(f"{t['desc']}: htmx-doel zonder role=status of aria-live")
        if t["text"]:
            problems.append(
                f"{t['desc']}: htmx-doel is bij de eerste weergave niet leeg ({t['text']!r})"
            )
    filled = [f"{s['desc']} ({s['text'][:60]!r})" for s in statuses if s["text"]]
    if filled:
        problems.append(
            "live-gebied bij de eerste weergave al gevuld (wordt niet voorgelezen): "
            + _lines(filled)
        )
    if problems:
        return check("A21", False, "; ".join(problems))
    names = ", ".join(s["desc"] for s in statuses) or "geen"
    return check("A21", True, f"leeg live-gebied bij de eerste weergave: {names}")


def check_status_after_swap(page: Page, ctx: Context) -> Check:
    facts = page.evaluate(_js("a21-status.js"))
    live = [s for s in facts["statuses"] if s["text"]]
    problems = []
    if not live:
        problems.append("na het opzoeken staat er niets in een live-gebied (role=status)")
    if facts["lost"]:
        problems.append("de focus is na de swap verloren (op body)")
    if problems:
        return check("A21", False, "; ".join(problems))
    return check(
        "A21",
        True,
        f"htmx vulde {live[0]['desc']}: {live[0]['text'][:80]!r}; focus blijft op {facts['active']}",
    )


# -- running them -----------------------------------------------------------------------------


def first_render_checks(page: Page, ctx: Context) -> list[Check]:
    """Checks that need the page as it arrived (focus, live regions) and DOM-only checks."""
    results: list[Check | None] = []
    if ctx.is_error:
        results.append(check_error_summary(page, ctx))
    if ctx.kind == "lookup":
        results.append(check_status_after_swap(page, ctx))
    elif ctx.kind == "step":
        results.append(check_status_first_render(page, ctx))
    if ctx.kind != "dialog":
        results.append(check_title(page, ctx))
        results.append(check_headings(page, ctx))
        results.append(check_form_validation(page, ctx))
        results.append(check_autocomplete(page, ctx))
    if ctx.is_step:
        results.append(check_step_counter(page, ctx))
        results.append(check_submit_button(page, ctx))
        if ctx.checks_answers:
            results.append(check_change_links(page, ctx))
    return [r for r in results if r is not None]


def layout_checks(page: Page, ctx: Context, width: int, narrow: bool, forced: bool) -> list[Check]:
    """Checks that depend on the viewport: reflow, target size, the Tab loop, forced colours."""
    results: list[Check | None] = []
    if narrow:
        results.append(check_reflow(page, ctx, width))
    results.append(check_target_size(page, ctx))
    results.extend(check_focus_each(page, ctx) if narrow else check_focus(page, ctx))
    if forced:
        results.append(check_forced_colors(page, ctx))
    return [r for r in results if r is not None]
