"""Walk one gemeente's journey in a real browser and capture every state worth auditing.

The journey follows the gemeente configuration step by step, as a resident would (the same
answers as ``e2e/helpers.py``, copied here because ``webapp`` never imports from ``e2e``). At
each state the crawler runs axe and the machine checks at 1280 and at 320 CSS pixels wide.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webapp.config.models import Gemeente
from webapp.evidence import axe, checks
from webapp.evidence.model import Evidence, State, Tools, ViewportResult

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
# used by the other browser tests (whose drafts would otherwise be resumed).
DEFAULT_BSN = "999990019"  # Kees Jansen

TESTDATA = Path(__file__).resolve().parents[1] / "registers" / "testdata"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FREE = {
    "rotterdam": {"postcode": "3062LG", "huisnummer": 12},
    "utrecht": {"postcode": "3511NT", "huisnummer": 230},
    "den-haag": {"postcode": "2521XZ", "huisnummer": 300},
    "voorbeeld": {"postcode": "9992EF", "huisnummer": 22, "huisnummertoevoeging": "1"},
}


class CrawlError(Exception):
    """The journey could not go on; the message says where and shows the page text."""


@cache
def _brp() -> Any:
    from webapp.registers.brp import BestandsBrp

    return BestandsBrp()


def person_name(bsn: str) -> str:
    persoon = _brp().raadpleeg(bsn)
    if persoon is None:
        raise CrawlError(f"geen testpersoon met BSN {bsn}")
    return str(persoon.naam())


def free_address(gemeente: Gemeente) -> dict[str, Any]:
    """A test address in the gemeente where nobody is registered."""
    if gemeente.slug in FREE:
        return FREE[gemeente.slug]
    docs = json.loads((TESTDATA / "adressen.json").read_text())["response"]["docs"]
    for doc in docs:
        if doc["gemeentecode"] == gemeente.gemeentecode and not _brp().bewoners(
            doc["adresseerbaarobject_id"]
        ):
            return dict(doc)
    raise CrawlError(f"geen vrij testadres in gemeente {gemeente.gemeentecode}")


def spaced(postcode: str) -> str:
    return f"{postcode[:4]} {postcode[4:]}"


def playwright_version() -> str:
    try:
        return metadata.version("playwright")
    except metadata.PackageNotFoundError:  # pragma: no cover - playwright is a dev dependency
        return "onbekend"


@dataclass
class Crawler:
    browser: Browser
    base_url: str
    gemeente: Gemeente
    bsn: str = DEFAULT_BSN
    today: date = field(default_factory=date.today)
    evidence: Evidence = field(init=False)
    files: Path = field(init=False)
    _visit: int = field(default=0, init=False)

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
        with tempfile.TemporaryDirectory(prefix="toegankelijkheid-") as tmp:
            self.files = Path(tmp)
            context = self._context()
            try:
                page = context.new_page()
                self._before_login(page)
                self._timeout_dialog()
                self._journey(page)
                self._after_journey(page)
            finally:
                context.close()
        return self.evidence

    def _context(self, clock: bool = False) -> BrowserContext:
        context = self.browser.new_context(
            viewport={"width": WIDE[0], "height": WIDE[1]}, locale="nl-NL"
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
        ctx = checks.Context(
            kind=kind,
            gemeente=self.gemeente.naam,
            step_type=state.step_type,
            expected_button=(cfg.knop if cfg is not None and cfg.type == "controleren" else None),
            typed=dict(typed or {}),
            one_question=(
                kind == "login-error"
                or kind == "login"
                or (cfg is not None and cfg.type in checks.ONE_QUESTION_TYPES)
            ),
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

    # -- resident actions -------------------------------------------------------------------

    def submit(self, page: Page, name: str = checks.NEXT) -> None:
        button = page.get_by_role("button", name=name, exact=True)
        if button.count() != 1:
            raise CrawlError(
                f"{button.count()} knoppen {name!r} op {page.url} ({page.title()!r}):\n"
                f"{self.text(page)}"
            )
        with page.expect_navigation():
            button.click()

    def text(self, page: Page) -> str:
        return page.locator("body").inner_text()[:1200]

    def step_id(self, page: Page) -> str | None:
        match = re.search(r"/stap/([^/?#]+)$", page.url.split("?")[0])
        return match.group(1) if match else None

    def has_error(self, page: Page) -> bool:
        return page.title().startswith(checks.ERROR_PREFIX)

    def login(self, page: Page) -> None:
        page.goto(self.url("/inloggen"))
        name = person_name(self.bsn)
        page.get_by_role("radio", name=re.compile(rf"^{re.escape(name)} \(")).check()
        self.submit(page, "Inloggen")

    def fill_date(self, page: Page, day: date) -> None:
        page.get_by_label("Dag", exact=True).fill(str(day.day))
        page.get_by_label("Maand", exact=True).fill(str(day.month))
        page.get_by_label("Jaar", exact=True).fill(str(day.year))

    def fill_address(self, page: Page, address: dict[str, Any]) -> None:
        page.get_by_label("Postcode", exact=True).fill(spaced(address["postcode"]))
        page.get_by_label("Huisnummer", exact=True).fill(str(address["huisnummer"]))
        page.get_by_label("Huisletter").fill(address.get("huisletter") or "")
        page.get_by_label("Toevoeging").fill(address.get("huisnummertoevoeging") or "")

    def answer_default(self, page: Page, cfg: Any) -> None:
        """A valid answer, chosen from the step type and its configuration; then submit."""
        kind = cfg.type
        main = page.locator("main")
        if kind == "vraag":
            if cfg.invoer == "radio":
                option = next(o for o in cfg.opties if o.stop is None)
                page.get_by_role("radio", name=option.label, exact=True).check()
            elif cfg.invoer == "checkbox":
                page.get_by_role("checkbox", name=cfg.opties[0].label, exact=True).check()
            else:
                page.locator("#waarde").fill("750" if cfg.invoer == "getal" else "Testantwoord")
        elif kind == "verhuisdatum":
            self.fill_date(page, self.today + timedelta(days=7))
        elif kind == "nieuw_adres":
            self.fill_address(page, free_address(self.gemeente))
        elif kind == "meeverhuizers":
            pass  # moves alone
        elif kind == "woonsituatie":
            page.get_by_role("radio", name=cfg.vormen[0].label, exact=True).check()
        elif kind == "huisvestingsvergunning":
            page.get_by_role("radio", name=cfg.label_aanvragen, exact=True).check()
        elif kind == "documenten":
            required = main.locator("input[type=file][aria-required=true]")
            for i in range(required.count()):
                upload = required.nth(i)
                path = self.files / f"{upload.get_attribute('id')}.pdf"
                path.write_bytes(PDF)
                upload.set_input_files(path)
        elif kind == "contactgegevens":
            page.get_by_label("E-mailadres").fill("test@example.org")
            page.get_by_label("Telefoonnummer").fill("06 12345678")
        elif kind == "controleren":
            page.get_by_role("checkbox", name=cfg.verklaring, exact=True).check()
        else:
            raise CrawlError(f"geen standaardantwoord voor staptype {kind!r}")
        self.submit(page, cfg.knop if kind == "controleren" else checks.NEXT)
        if self.has_error(page):
            raise CrawlError(f"stap {cfg.id} weigerde het standaardantwoord:\n{self.text(page)}")

    def provoke_error(self, page: Page, cfg: Any) -> tuple[str, dict[str, str]] | None:
        """Make the step wrong where it can be: empty, or an invalid value. None: skip."""
        kind = cfg.type
        if kind == "meeverhuizers":
            return None  # choosing nobody is a valid answer: moving alone
        if kind == "vraag":
            if cfg.invoer == "getal":
                page.locator("#waarde").fill("veel")
                return "met een ongeldig getal", {"waarde": "veel"}
            if not cfg.verplicht:
                return None
        if kind == "contactgegevens" and not (cfg.email_verplicht or cfg.telefoon_verplicht):
            page.get_by_label("E-mailadres").fill("geen-e-mailadres")
            return "met een ongeldig e-mailadres", {"email": "geen-e-mailadres"}
        return "leeg", {}

    # -- parts of the crawl -----------------------------------------------------------------

    def _before_login(self, page: Page) -> None:
        page.goto(self.url("/"))
        self.capture(page, "start", "Startpagina (niet ingelogd)", "start")
        page.goto(self.url("/inloggen"))
        self.capture(page, "inloggen", "Inlogpagina (DigiD-test)", "login")
        self.submit(page, "Inloggen")
        if not self.has_error(page):
            raise CrawlError(f"inloggen zonder keuze gaf geen fout:\n{self.text(page)}")
        self.capture(page, "inloggen-fout", "Inlogpagina na inloggen zonder keuze", "login-error")

    def _journey(self, page: Page) -> None:
        self.login(page)
        if page.url.endswith("/verder"):
            # An unfinished report of an earlier run: finish it, so the crawl starts afresh.
            self.capture(page, "verder", "Welkom terug (eerder begonnen melding)", "other")
            self._finish_old_draft(page)
            self.login(page)
            if self.step_id(page) is None:
                raise CrawlError(f"geen eerste stap na opnieuw inloggen: {page.url}")
        seen: list[str] = []
        for _ in range(MAX_STEPS):
            if page.url.endswith("/bevestiging"):
                break
            step_id = self.step_id(page)
            if step_id is None:
                raise CrawlError(f"geen stap op {page.url}:\n{self.text(page)}")
            cfg = self.gemeente.step(step_id)
            if step_id in seen:
                raise CrawlError(f"stap {step_id} kwam twee keer: {seen}")
            seen.append(step_id)
            self._step(page, cfg, len(seen))
        else:
            raise CrawlError(f"geen bevestiging na {MAX_STEPS} stappen: {seen}")
        self.capture(page, "bevestiging", "Bevestiging na het doorgeven", "confirmation")

    def _finish_old_draft(self, page: Page) -> None:
        with page.expect_navigation():
            page.get_by_text("Ga verder waar u gebleven was", exact=True).click()
        for _ in range(MAX_STEPS):
            if page.url.endswith("/bevestiging"):
                self.log("een eerder begonnen melding is eerst afgemaakt (zonder te meten)")
                return
            step_id = self.step_id(page)
            if step_id is None:
                raise CrawlError(f"eerdere melding: geen stap op {page.url}:\n{self.text(page)}")
            self.answer_default(page, self.gemeente.step(step_id))
        raise CrawlError("eerdere melding: geen bevestiging")

    def _step(self, page: Page, cfg: Any, n: int) -> None:
        step_url = page.url.split("?")[0]
        prefix = f"stap-{n:02d}-{cfg.id}"
        question = (
            page.locator("h1").first.inner_text().strip() if page.locator("h1").count() else cfg.id
        )
        self.capture(page, prefix, f"Stap {n} ({cfg.type}): {question}", "step", cfg=cfg)

        if cfg.type == "nieuw_adres":
            self._lookup(page, cfg, prefix, n)
            page.goto(step_url)

        provoked = self.provoke_error(page, cfg)
        if provoked is not None:
            how, typed = provoked
            self.submit(page, cfg.knop if cfg.type == "controleren" else checks.NEXT)
            if self.step_id(page) != cfg.id:
                self.log(f"{prefix}: verzenden {how} werd geaccepteerd; geen fouttoestand")
                return  # the step took the empty answer; the journey goes on from here
            if not self.has_error(page):
                raise CrawlError(
                    f"stap {cfg.id}: verzenden {how} gaf geen fout:\n{self.text(page)}"
                )
            self.capture(
                page,
                f"{prefix}-fout",
                f"Stap {n} ({cfg.type}) na verzenden {how}",
                "error",
                cfg=cfg,
                typed=typed,
            )
        else:
            self.log(f"{prefix}: geen fouttoestand (de stap accepteert een leeg antwoord)")

        if cfg.type == "vraag" and cfg.invoer == "radio":
            stop = next((o for o in cfg.opties if o.stop is not None), None)
            if stop is not None:
                page.get_by_role("radio", name=stop.label, exact=True).check()
                self.submit(page)
                if not page.url.endswith("/einde"):
                    raise CrawlError(f"keuze {stop.waarde!r} gaf geen eindpagina: {page.url}")
                self.capture(
                    page,
                    f"einde-{cfg.id}-{stop.waarde}",
                    f"Eindpagina na '{stop.label}' (stap {n})",
                    "stop",
                )
                page.goto(step_url)
        self.answer_default(page, cfg)

    def _lookup(self, page: Page, cfg: Any, prefix: str, n: int) -> None:
        address = free_address(self.gemeente)
        page.get_by_label("Postcode", exact=True).fill(spaced(address["postcode"]))
        page.get_by_label("Huisnummer", exact=True).fill(str(address["huisnummer"]))
        page.keyboard.press("Tab")
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('main [role=status], main [aria-live]')]"
                ".some(el => el.textContent.trim().length > 0)",
                timeout=5000,
            )
        except Exception:  # the check below reports it
            self.log(f"{prefix}: het opzoeken van het adres gaf binnen 5 s geen melding")
        self.capture(
            page,
            f"{prefix}-opgezocht",
            f"Stap {n} ({cfg.type}) na het opzoeken van het adres (htmx)",
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
            self.login(page)
            if self.step_id(page) is None:  # an earlier draft: "Welkom terug"
                page.goto(self.url(f"/stap/{self.gemeente.stappen[0].id}"))
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


def crawl(
    browser: Browser,
    base_url: str,
    gemeente: Gemeente,
    bsn: str = DEFAULT_BSN,
) -> Evidence:
    """Walk the gemeente's journey and return the evidence of every state."""
    return Crawler(browser, base_url, gemeente, bsn=bsn).run()
