"""Walk one gemeente's journey in a real browser and capture every state worth auditing.

The journey is walked by the shared resident driver (:mod:`webapp.testing.resident`), with the
step types' example answers; the crawler is an observer of that walk. At each step it captures
the untouched page, the live lookup of an enhanced step, the error state (the step type's
invalid example) and a stop page, each with axe and the machine checks at 1280 and at 320 CSS
pixels wide.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from webapp.config.models import Gemeente
from webapp.evidence import axe, checks
from webapp.evidence.model import Evidence, State, Tools, ViewportResult
from webapp.steps import registry
from webapp.testing.resident import BrowserResident, Observer, WalkError, tester_credentials
from webapp.testing.testdata import ResidentData, resident_data

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

WIDE = (1280, 800)
NARROW = (320, 640)
VIEWPORTS = (WIDE, NARROW)
TIMEOUT_MS = 30_000  # generous: the machine may be busy with other browser tests
MAX_STEPS = 30
DIALOG_ID = "sessie-dialoog"
CLOCK_STEP_MS = 30_000
DEFAULT_IDLE_MINUTES = 60

# A resident with a partner at the same address, so "meeverhuizers" shows a real choice, and not
# used by the other browser tests (a crawl throws away this person's unfinished report).
DEFAULT_BSN = "999990019"  # Kees Jansen


def playwright_version() -> str:
    try:
        return metadata.version("playwright")
    except metadata.PackageNotFoundError:  # pragma: no cover - playwright is a QA tool
        return "onbekend"


@dataclass
class Crawler:
    browser: Browser
    base_url: str
    gemeente: Gemeente
    bsn: str = DEFAULT_BSN
    today: date = field(default_factory=date.today)
    data: ResidentData = field(default_factory=resident_data)
    evidence: Evidence = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.evidence = Evidence(
            slug=self.gemeente.slug,
            gemeente=self.gemeente.naam,
            config_version=self.gemeente.versie,
            theme=self.gemeente.thema,
            base_url=self.base_url,
            date=datetime.now(UTC).isoformat(timespec="seconds"),
            tools=Tools(
                axe_version=axe.AXE_VERSION,
                axe_sha256=axe.axe_sha256(),
                browser=self.browser.browser_type.name,
                browser_version=self.browser.version,
                playwright_version=playwright_version(),
            ),
        )

    # -- the whole crawl --------------------------------------------------------------------

    def run(self) -> Evidence:
        context = self._context()
        try:
            page = context.new_page()
            self._before_login(page)
            self._timeout_dialog()
            self._journey(self.resident(page))
            self._after_journey(page)
        finally:
            context.close()
        return self.evidence

    def resident(self, page: Page) -> BrowserResident:
        return BrowserResident(page, self.base_url, self.gemeente, self.today, self.data)

    def _context(self, clock: bool = False) -> BrowserContext:
        context = self.browser.new_context(
            viewport={"width": WIDE[0], "height": WIDE[1]},
            locale="nl-NL",
            http_credentials=tester_credentials(),
        )
        context.set_default_timeout(TIMEOUT_MS)
        if clock:
            context.clock.install()
        return context

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.gemeente.slug}{path}"

    def log(self, message: str) -> None:
        self.evidence.log.append(message)

    # -- capturing a state ------------------------------------------------------------------

    def capture(
        self,
        page: Page,
        state_id: str,
        label: str,
        kind: str,
        *,
        cfg: Any = None,
        typed: dict[str, str] | None = None,
        extra: Callable[[Page, checks.Context], list[Any]] | None = None,
        note: str = "",
    ) -> State:
        page.wait_for_load_state("load")
        state = State(
            id=state_id,
            label=label,
            kind=kind,
            url=page.url,
            title=page.title(),
            step_id=cfg.id if cfg is not None else None,
            step_type=cfg.type if cfg is not None else None,
            note=note,
        )
        step_type = registry[cfg.type] if cfg is not None else None
        ctx = checks.Context(
            kind=kind,
            gemeente=self.gemeente.naam,
            step_type=state.step_type,
            expected_button=step_type.button(cfg) if step_type is not None else None,
            typed=dict(typed or {}),
            one_question=(
                kind in ("login", "login-error")
                or (step_type is not None and step_type.one_question)
            ),
            checks_answers=step_type is not None and step_type.checks_answers,
        )
        for index, (width, height) in enumerate(VIEWPORTS):
            first = index == 0
            page.set_viewport_size({"width": width, "height": height})
            if first:
                self.evidence.tools.axe_version = axe.inject(page)  # as the page reports it
            found = checks.first_render_checks(page, ctx) if first else []
            if first and extra is not None:
                found += extra(page, ctx)
            result = ViewportResult(
                width=width,
                height=height,
                axe=axe.run(page),
                best_practice=axe.run_best_practice(page) if first else None,
            )
            result.checks = found + checks.layout_checks(
                page, ctx, width, narrow=not first, forced=first
            )
            state.viewports.append(result)
        page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
        page.evaluate(
            "() => { document.activeElement && document.activeElement.blur(); scrollTo(0, 0); }"
        )
        self.evidence.states.append(state)
        return state

    def not_present(self, state_id: str, label: str, kind: str, note: str) -> None:
        self.evidence.states.append(
            State(id=state_id, label=label, kind=kind, present=False, note=note)
        )
        self.log(f"{state_id}: {note}")

    # -- parts of the crawl -----------------------------------------------------------------

    def _before_login(self, page: Page) -> None:
        resident = self.resident(page)
        resident.goto("/")
        self.capture(page, "start", "Startpagina (niet ingelogd)", "start")
        resident.goto("/inloggen")
        self.capture(page, "inloggen", "Inlogpagina (DigiD-test)", "login")
        resident.click("Inloggen")
        if not resident.has_errors():
            raise WalkError(f"inloggen zonder keuze gaf geen fout:\n{resident.text()}")
        self.capture(page, "inloggen-fout", "Inlogpagina na inloggen zonder keuze", "login-error")

    def _journey(self, resident: BrowserResident) -> None:
        page = resident.page
        self._log_in(resident)
        if resident.kind() != "verder":
            # One answer, so that logging in again finds an unfinished report: "Welkom terug".
            resident.answer()
            self._log_in(resident)
        if resident.kind() != "verder":
            raise WalkError(f"geen 'Welkom terug' bij een begonnen melding: {page.url}")
        self.capture(page, "verder", "Welkom terug (eerder begonnen melding)", "other")
        resident.follow("Opnieuw beginnen")
        if resident.kind() != "opnieuw":
            raise WalkError(f"geen vraag 'Weet u het zeker?' na Opnieuw beginnen: {page.url}")
        self.capture(page, "opnieuw", "Opnieuw beginnen: de vraag of het zeker is", "other")
        resident.click("Ja, opnieuw beginnen")
        self.log("de begonnen melding is weggegooid (opnieuw beginnen) voor de meting")
        if resident.step_id() is None:
            raise WalkError(f"geen eerste stap na inloggen: {page.url}")
        kind = resident.walk(_Steps(self), max_steps=MAX_STEPS)
        if kind != "bevestiging":
            raise WalkError(f"geen bevestiging maar {kind}: {page.url}\n{resident.text()}")
        self.capture(page, "bevestiging", "Bevestiging na het doorgeven", "confirmation")

    def _log_in(self, resident: BrowserResident) -> None:
        resident.open_login()
        if not resident.choose_person(self.bsn):
            raise WalkError(f"testpersoon {self.bsn} staat niet op de inlogpagina")

    def _step(self, resident: BrowserResident, cfg: Any, n: int) -> None:
        page = resident.page
        step_type = registry[cfg.type]
        example = resident.data.example_context(self.gemeente, self.today)
        step_url = page.url.split("?")[0]
        prefix = f"stap-{n:02d}-{cfg.id}"
        question = (
            page.locator("h1").first.inner_text().strip() if page.locator("h1").count() else cfg.id
        )
        self.capture(page, prefix, f"Stap {n} ({cfg.type}): {question}", "step", cfg=cfg)

        if step_type.enhanced:
            self._lookup(resident, cfg, prefix, n)
            page.goto(step_url)

        provoked = step_type.invalid_example(cfg, example)
        if provoked is not None:
            how, wrong = provoked
            resident.fill(wrong)
            resident.submit()
            if resident.step_id() != cfg.id:
                self.log(f"{prefix}: verzenden {how} werd geaccepteerd; geen fouttoestand")
                return  # the step took the answer; the journey goes on from here
            if not resident.has_errors():
                raise WalkError(f"stap {cfg.id}: verzenden {how} gaf geen fout:\n{resident.text()}")
            typed = {k: v for k, v in wrong.fields.items() if isinstance(v, str)}
            self.capture(
                page,
                f"{prefix}-fout",
                f"Stap {n} ({cfg.type}) na verzenden {how}",
                "error",
                cfg=cfg,
                typed=typed,
            )
        else:
            self.log(f"{prefix}: geen fouttoestand (de stap accepteert elk antwoord)")

        for stop in step_type.stopping_choices(cfg)[:1]:
            resident.fill(stop.answer)
            resident.submit()
            if resident.kind() != "einde":
                raise WalkError(f"keuze {stop.waarde!r} gaf geen eindpagina: {page.url}")
            self.capture(
                page,
                f"einde-{cfg.id}-{stop.waarde}",
                f"Eindpagina na '{stop.label}' (stap {n})",
                "stop",
            )
            page.goto(step_url)

    def _lookup(self, resident: BrowserResident, cfg: Any, prefix: str, n: int) -> None:
        """Fill in the example and leave the field: the page looks it up as the resident types."""
        page = resident.page
        resident.fill(resident.example(cfg))
        page.keyboard.press("Tab")
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('main [role=status], main [aria-live]')]"
                ".some(el => el.textContent.trim().length > 0)",
                timeout=5000,
            )
        except Exception:  # the check below reports it
            self.log(f"{prefix}: het opzoeken gaf binnen 5 s geen melding")
        self.capture(
            page,
            f"{prefix}-opgezocht",
            f"Stap {n} ({cfg.type}) na het opzoeken (htmx)",
            "lookup",
            cfg=cfg,
        )

    def _timeout_dialog(self) -> None:
        """Fast-forward a fake clock until app.js opens the session dialog (or the session ends)."""
        label = "Waarschuwing dat de sessie bijna verloopt (dialoog)"
        context = self._context(clock=True)
        try:
            page = context.new_page()
            page.goto(self.url("/sessie-verlopen"))
            found = re.search(r"(\d+) minuten", page.locator("main").inner_text())
            idle: int | None = int(found.group(1)) * 60 if found else None
            self.resident(page).login(self.bsn, start_over=True)
            start_url = page.url
            # app.js reads the idle time (seconds) from the body; the expiry page says it too.
            idle = page.evaluate("() => Number(document.body.dataset.sessionIdle) || null") or idle
            limit_ms = ((idle or DEFAULT_IDLE_MINUTES * 60) + 60) * 1000
            elapsed, opened = 0, False
            state_js = (
                "(id) => { const d = document.getElementById(id);"
                " return d ? (d.open ? 'open' : 'closed') : 'absent'; }"
            )
            while elapsed <= limit_ms:
                try:
                    status = page.evaluate(state_js, DIALOG_ID)
                except Exception:  # navigated away while evaluating
                    break
                if status == "open":
                    opened = True
                    break
                if page.url != start_url:
                    break
                page.clock.fast_forward(CLOCK_STEP_MS)
                elapsed += CLOCK_STEP_MS
            if opened:
                margin, left = "", None
                if idle is not None:
                    left = idle - elapsed // 1000
                    margin = f"geopend na {elapsed // 1000} s stilte, {left} s voor het verlopen"

                def dialog_check(page: Page, ctx: checks.Context) -> list[Any]:
                    return [checks.check_timeout_dialog(page, ctx, DIALOG_ID, margin, left)]

                self.capture(
                    page, "sessie-dialoog", label, "dialog", extra=dialog_check, note=margin
                )
                return
            if page.url == start_url and page.evaluate(state_js, DIALOG_ID) == "absent":
                self.not_present(
                    "sessie-dialoog",
                    label,
                    "dialog",
                    f'geen <dialog id="{DIALOG_ID}"> op de stappagina, ook niet na '
                    f"{elapsed // 60_000} minuten stilte (klok vooruitgezet)",
                )
                return
            # The element exists (or the page left) but the dialog never opened: a finding.
            where = page.url

            def never_opened(page: Page, ctx: checks.Context) -> list[Any]:
                return [
                    checks.check(
                        "A13",
                        False,
                        f"#{DIALOG_ID} opende niet binnen {elapsed // 1000} s stilte; pagina nu {where}",
                    )
                ]

            self.capture(page, "sessie-dialoog", label, "dialog", extra=never_opened)
        finally:
            context.close()

    def _after_journey(self, page: Page) -> None:
        page.goto(self.url("/sessie-verlopen"))
        self.capture(page, "sessie-verlopen", "Sessie verlopen", "expired")
        page.goto(self.url("/bevestiging"))
        logout = page.get_by_role("button", name="Uitloggen", exact=True)
        if logout.count() == 1:
            with page.expect_navigation():
                logout.click()
            self.capture(page, "uitgelogd", "Uitgelogd", "other")
        else:
            self.log("geen knop Uitloggen op de bevestigingspagina")


class _Steps(Observer):
    """The crawler's part in the walk: capture each step's states before it is answered."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def step(self, resident: BrowserResident, cfg: Any, number: int) -> None:
        self.crawler._step(resident, cfg, number)
        return None  # the example (unless _step answered already: the walk sees it moved on)


def crawl(
    browser: Browser,
    base_url: str,
    gemeente: Gemeente,
    bsn: str = DEFAULT_BSN,
    data: ResidentData | None = None,
) -> Evidence:
    """Walk the gemeente's journey and return the evidence of every state."""
    return Crawler(browser, base_url, gemeente, bsn=bsn, data=data or resident_data()).run()
