"""Play one scenario in a real browser against a running server, recording every page.

A fresh browser context per scenario: the shared resident driver
(:mod:`webapp.testing.resident`) logs in on the DigiD test page and answers each step shown
with the scenario's form fields; this module is the observer of that walk. It compares the
path, the documents asked, the texts and the outcome with what the scenario expects. Every
page gets a screenshot and an axe run; an axe violation fails the scenario.
"""

from __future__ import annotations

import re
import time
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from webapp.i18n import SOURCE_LOCALE, _, use_locale
from webapp.scenarios.loader import Plan, Suite
from webapp.scenarios.result import Failure, PageVisit, ScenarioResult
from webapp.steps.base import FormAnswer
from webapp.steps.documenten import document_id
from webapp.tekst import NAMEN as NAMES
from webapp.testing.resident import (
    REFERENCE,
    BrowserResident,
    Observer,
    Unplaced,
    WalkError,
    tester_credentials,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MAX_STEPS = 40
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
EXCERPT = 300
_MAIN_TEXT = "() => (document.querySelector('main') || document.body).innerText"


class _Stop(Exception):
    """The run cannot go on; the failure is already recorded."""


def run_scenario(
    browser: Browser, base_url: str, suite: Suite, plan: Plan, today: date | None = None
) -> ScenarioResult:
    from playwright.sync_api import Error as PlaywrightError

    from webapp.evidence.axe import axe_source

    result = ScenarioResult(suite.slug, plan.naam)
    started = time.monotonic()
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, http_credentials=tester_credentials()
    )
    # axe in every document from the start: injecting it afterwards costs more per page.
    context.add_init_script(script=axe_source())
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    resident = BrowserResident(context.new_page(), base_url, suite.gemeente, today or date.today())
    run = _Run(resident, plan, result)
    try:
        # The driver names buttons and reads titles through the catalogue: in the scenario's
        # language, as the resident sees them.
        with use_locale(plan.taal):
            run.play()
            run.compare()
    except _Stop:
        pass
    except WalkError as exc:
        run.fail(run.where(), str(exc).splitlines()[0], run.snapshot())
    except PlaywrightError as exc:
        run.fail(
            run.where(), f"de browser gaf een fout: {exc.message.splitlines()[0]}", run.snapshot()
        )
    finally:
        run.check_accessibility()
        context.close()
        result.seconds = time.monotonic() - started
    return result


class _Run(Observer):
    """The scenario's checks, as an observer of the resident's walk."""

    def __init__(self, resident: BrowserResident, plan: Plan, result: ScenarioResult) -> None:
        self.resident = resident
        self.page = resident.page
        self.gemeente = resident.gemeente
        self.plan = plan
        self.verwacht = plan.verwacht
        self.result = result
        self.asked: list[str] | None = None  # document ids on the documents step
        self.documents_visit: PageVisit | None = None
        self.current: PageVisit | None = None

    # -- the journey -----------------------------------------------------------------------

    def play(self) -> None:
        self.login()
        kind = self.resident.walk(self, max_steps=MAX_STEPS)
        if kind == "stap":
            return  # refused as the scenario expects
        if kind == "einde":
            self.stop_page()
        elif kind == "bevestiging":
            self.confirmation()
        else:
            visit = self.visit(kind, "een stap", self.page.title())
            self.fail(kind, f"onverwachte pagina {visit.title!r} ({visit.url})", visit)
            raise _Stop

    def login(self) -> None:
        page = self.page
        if self.plan.taal != SOURCE_LOCALE:
            self.choose_language()
        self.resident.open_login()
        # The top of the page is enough: the full list of test persons is long and slow to take.
        visit = self.visit("inloggen", "inlogpagina", "inlogpagina", whole=False)
        if not self.resident.choose_person(self.plan.testpersoon):
            self.fail(
                "inloggen",
                f"testpersoon {self.plan.testpersoon} staat niet op de inlogpagina",
                visit,
            )
            raise _Stop
        if self.resident.kind() == "verder":
            # An unfinished report of this person: its answers would let the server skip
            # steps, so throw it away and start afresh (a staging action).
            self.visit("welkom terug", "welkom terug", "welkom terug")
        self.resident.after_login(start_over=True)
        self.result.resumed = self.resident.started_over
        if self.resident.kind() != "stap":
            visit = self.visit("na inloggen", "de eerste stap", page.title())
            self.fail("inloggen", f"na het inloggen geen stap maar {visit.title!r}", visit)
            raise _Stop

    def choose_language(self) -> None:
        """Follow the language link on the start page, as a resident would."""
        self.resident.goto("/")
        link = self.page.get_by_role("link", name=NAMES[self.plan.taal], exact=True)
        if link.count() != 1:
            visit = self.visit("taal", f"een link {NAMES[self.plan.taal]!r}", self.page.title())
            self.fail("taal", f"geen taalkeuze {NAMES[self.plan.taal]!r} op de startpagina", visit)
            raise _Stop
        with self.page.expect_navigation():
            link.click()

    # -- the walk's hooks ------------------------------------------------------------------

    def step(self, resident: BrowserResident, cfg: Any, number: int) -> FormAnswer:
        """Check that this is the expected step, record it, and give the scenario's answer."""
        step_id = cfg.id
        n = len(self.result.path)
        self.result.path.append(step_id)
        label = f"stap {n + 1} ({step_id})"
        expected = (
            self.verwacht.stappen[n] if n < len(self.verwacht.stappen) else self.outcome_text()
        )
        visit = self.visit(label, expected, step_id)
        self.current = visit
        if step_id != expected:
            after = f" na {self.verwacht.stappen[n - 1]!r}" if n else " als eerste stap"
            if n < len(self.verwacht.stappen):
                message = f"verwacht stap {expected!r}{after}, gevonden {step_id!r}"
            else:
                message = f"verwacht {expected}{after}, maar de pagina toont stap {step_id!r}"
            self.fail(label, message, visit)
            raise _Stop
        files = resident.form.locator("input[type=file]")
        if files.count():
            self.asked = [
                document_id(str(name)) for name in files.evaluate_all("els => els.map(e => e.name)")
            ]
            self.documents_visit = visit
        if step_id in self.plan.answers:
            answer = self.plan.answers[step_id]
        elif resident.step_type(cfg).checks_answers:
            answer = resident.example(cfg)
        else:
            self.fail(label, f"stap {step_id!r}: geen antwoord in het scenario", visit)
            raise _Stop
        visit.answer = answer.description
        return answer

    def filled(
        self, resident: BrowserResident, cfg: Any, answer: FormAnswer, missing: list[Unplaced]
    ) -> None:
        for problem in missing:
            if problem.kind == "bestand" and self.verwacht.documenten is not None:
                continue  # compare() reports the difference in documents
            self.fail(self.where(), str(problem))
        if any(p.kind != "bestand" for p in missing):
            raise _Stop  # a field or choice the scenario needs is not there

    def refused(self, resident: BrowserResident, cfg: Any, answer: FormAnswer) -> bool:
        label = f"stap {len(self.result.path)} ({cfg.id})"
        return self._refused(label, answer.description)

    def _refused(self, label: str, answer: str) -> bool:
        messages = self.error_messages()
        melding = self.verwacht.melding
        shown = "foutmelding: " + " / ".join(messages)
        if self.verwacht.uitkomst == "gestopt" and melding and _contains(shown, melding):
            visit = self.visit(f"{label}, foutmelding", shown, shown)
            visit.answer, visit.errors = answer, messages
            self.result.outcome = "gestopt"
            self.check_path_complete(label, visit)
            return True
        visit = self.visit(f"{label}, foutmelding", "het antwoord wordt geaccepteerd", shown)
        visit.answer, visit.errors = answer, messages
        wanted = f"; verwacht de melding {melding!r}" if melding else ""
        self.fail(label, f"het antwoord werd geweigerd: {' / '.join(messages)}{wanted}", visit)
        raise _Stop

    def stop_page(self) -> None:
        visit = self.visit("stoppagina", self.outcome_text(), "gestopt: " + self.page.title())
        self.result.outcome = "gestopt"
        melding = self.verwacht.melding or ""
        if self.verwacht.uitkomst == "gestopt" and _contains(
            f"{visit.title} {visit.text}", melding
        ):
            visit.expected = visit.found
            self.check_path_complete("stoppagina", visit)
        elif self.verwacht.uitkomst == "gestopt":
            self.fail("stoppagina", f"de melding {melding!r} staat niet op de stoppagina", visit)
        else:
            self.fail(
                "stoppagina", f"verwacht verstuurd, maar de melding stopte: {visit.title!r}", visit
            )

    def confirmation(self) -> None:
        visit = self.visit("bevestiging", self.outcome_text(), "verstuurd")
        self.result.outcome = "verstuurd"
        reference = self.page.locator("[data-reference]")
        found = REFERENCE.search(reference.inner_text() if reference.count() else visit.text)
        self.result.reference = found[0] if found else None
        if self.verwacht.uitkomst != "verstuurd":
            self.fail(
                "bevestiging",
                f"verwacht {self.outcome_text()}, maar de melding is verstuurd",
                visit,
            )
            return
        if not found:
            self.fail("bevestiging", "geen referentienummer op de bevestiging", visit)
        self.check_path_complete("bevestiging", visit)
        wanted = self.verwacht.vergunning_aangevraagd
        if wanted is not None:
            # In the resident's language (the runner works in it: see run_scenario).
            heading = _("Met deze melding heeft u ook aangevraagd:").rstrip(":")
            also = re.split(re.escape(heading), visit.text, maxsplit=1, flags=re.I)
            permit = _("een huisvestingsvergunning").casefold()
            applied = len(also) == 2 and permit in also[1].casefold()
            if applied != wanted:
                self.fail(
                    "bevestiging",
                    "verwacht "
                    + ("wel" if wanted else "geen")
                    + " aanvraag van een huisvestingsvergunning bij de melding, gevonden: "
                    + ("wel" if applied else "geen"),
                    visit,
                )

    def check_path_complete(self, where: str, visit: PageVisit) -> None:
        path, expected = self.result.path, self.verwacht.stappen
        if len(path) < len(expected):
            visit.expected = f"stap {expected[len(path)]!r}"
            self.fail(
                where,
                f"verwacht stap {expected[len(path)]!r} na {path[-1]!r}, maar de melding "
                + ("is verstuurd" if self.result.outcome == "verstuurd" else "stopte hier"),
                visit,
            )

    # -- comparisons after the run ---------------------------------------------------------

    def compare(self) -> None:
        verwacht = self.verwacht
        if verwacht.documenten is not None:
            asked = self.asked or []
            if sorted(asked) != sorted(verwacht.documenten):
                self.fail(
                    "documenten",
                    f"gevraagd: {_list(asked)}; verwacht: {_list(verwacht.documenten)}",
                    self.documents_visit,
                )
        seen = " ".join(f"{v.title} {v.text}" for v in self.result.pages)
        for text in verwacht.teksten:
            if not _contains(seen, text):
                self.fail("teksten", f"de tekst {text!r} stond op geen enkele pagina")

    def check_accessibility(self) -> None:
        for visit in self.result.pages:
            if visit.violations:
                rules = "; ".join(
                    f"{r.id} ({r.impact or '?'}, {r.node_count}x): {r.help}"
                    for r in visit.violations
                )
                self.fail(visit.label, f"axe vond toegankelijkheidsfouten: {rules}", visit)

    # -- the page --------------------------------------------------------------------------

    def error_messages(self) -> list[str]:
        page = self.page
        texts = page.locator("[data-module=error-summary] a, .error-summary a").all_inner_texts()
        if not texts:
            texts = page.locator("[id$='-error']").all_inner_texts()
        return list(
            dict.fromkeys(_clean(t).removeprefix(_("Fout:")).strip() for t in texts if t.strip())
        )

    def main_text(self) -> str:
        return _clean(str(self.page.evaluate(_MAIN_TEXT)))

    def visit(self, label: str, expected: str, found: str, whole: bool = True) -> PageVisit:
        from webapp.evidence import axe

        page = self.page
        visit = PageVisit(
            label=label,
            url=urlsplit(page.url).path,
            title=page.title(),
            text=self.main_text(),
            screenshot=page.screenshot(full_page=whole),
            expected=expected,
            found=found,
        )
        visit.violations = axe.run(page).violations
        self.result.pages.append(visit)
        return visit

    def snapshot(self) -> PageVisit | None:
        """The page as it is now, without axe, for a failure the browser reported."""
        try:
            return PageVisit(
                label=self.where(),
                url=urlsplit(self.page.url).path,
                title=self.page.title(),
                text=self.main_text(),
                screenshot=self.page.screenshot(full_page=True),
                expected="",
                found="",
            )
        except Exception:  # the page may be gone; the failure message is what matters
            return None

    def where(self) -> str:
        path = self.result.path
        return f"stap {len(path)} ({path[-1]})" if path else "inloggen"

    def outcome_text(self) -> str:
        if self.verwacht.uitkomst == "verstuurd":
            return "verstuurd"
        return f"gestopt met de melding {self.verwacht.melding!r}"

    def fail(self, where: str, message: str, visit: PageVisit | None = None) -> None:
        if visit is None and self.result.pages and where == self.where():
            visit = self.result.pages[-1]
        self.result.failures.append(
            Failure(
                where,
                message,
                visit.text[:EXCERPT] if visit else "",
                visit.screenshot if visit else None,
            )
        )


def _clean(text: str) -> str:
    return " ".join(text.split())


def _contains(haystack: str, needle: str) -> bool:
    return _clean(needle).casefold() in _clean(haystack).casefold()


def _list(items: list[str]) -> str:
    return ", ".join(sorted(items)) or "geen"
