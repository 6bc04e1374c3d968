"""Play one scenario in a real browser against a running server, recording every page.

A fresh browser context per scenario: log in on the DigiD test page, answer each step shown
(``form[data-step-id]``) from the scenario, and compare the path, the documents asked, the texts
and the outcome with what the scenario expects. Every page gets a screenshot and an axe run;
an axe violation fails the scenario.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from webapp.scenarios import dates
from webapp.scenarios.loader import BUILTIN_FILES, Bestand, Plan, Suite, Vergunning
from webapp.scenarios.result import Failure, PageVisit, ScenarioResult

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

MAX_STEPS = 40
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
EXCERPT = 300
REFERENCE = re.compile(r"\b[A-Z]{2,4}-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


# One round trip each: these run several times per page.
_STEP_ID = """() => {
  const forms = document.querySelectorAll('form[data-step-id]');
  return forms.length === 1 ? forms[0].getAttribute('data-step-id') : null;
}"""
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
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    # axe in every document from the start: injecting it afterwards costs more per page.
    context.add_init_script(script=axe_source())
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    run = _Run(context.new_page(), base_url, suite, plan, result, today or date.today())
    try:
        run.play()
        run.compare()
    except _Stop:
        pass
    except PlaywrightError as exc:
        run.fail(
            run.where(), f"de browser gaf een fout: {exc.message.splitlines()[0]}", run.snapshot()
        )
    finally:
        run.check_accessibility()
        context.close()
        result.seconds = time.monotonic() - started
    return result


class _Run:
    def __init__(
        self,
        page: Page,
        base_url: str,
        suite: Suite,
        plan: Plan,
        result: ScenarioResult,
        today: date,
    ) -> None:
        self.page = page
        self.base = f"{base_url.rstrip('/')}/{suite.slug}"
        self.gemeente = suite.gemeente
        self.plan = plan
        self.verwacht = plan.verwacht
        self.result = result
        self.today = today
        self.asked: list[str] | None = None  # document ids on the documenten step
        self.documents_visit: PageVisit | None = None

    # -- the journey -----------------------------------------------------------------------

    def play(self) -> None:
        self.login()
        for _ in range(MAX_STEPS):
            kind = self.kind()
            if kind == "stap":
                if self.step():
                    return
            elif kind == "einde":
                self.stop_page()
                return
            elif kind == "bevestiging":
                self.confirmation()
                return
            else:
                visit = self.visit(kind, "een stap", self.page.title())
                self.fail(kind, f"onverwachte pagina {visit.title!r} ({visit.url})", visit)
                raise _Stop
        self.fail(self.where(), f"na {MAX_STEPS} stappen nog geen bevestiging of stoppagina")
        raise _Stop

    def login(self) -> None:
        page = self.page
        page.goto(f"{self.base}/inloggen")
        # The top of the page is enough: the full list of test persons is long and slow to take.
        visit = self.visit("inloggen", "inlogpagina", "inlogpagina", whole=False)
        person = page.locator(f'input[name="bsn"][value="{self.plan.testpersoon}"]')
        if person.count() != 1:
            self.fail(
                "inloggen",
                f"testpersoon {self.plan.testpersoon} staat niet op de inlogpagina",
                visit,
            )
            raise _Stop
        person.check()
        self.submit(page.get_by_role("button", name="Inloggen", exact=True))
        if self.kind() == "verder":
            # An unfinished report of this person: its answers would let the server skip steps,
            # so go on, then start over at the first step (find_next then finds each next step).
            self.visit("welkom terug", "welkom terug", "welkom terug")
            self.result.resumed = True
            self.submit(page.get_by_role("button", name="Ga verder waar u gebleven was"))
            page.goto(f"{self.base}/stap/{self.gemeente.stappen[0].id}")
        if self.kind() != "stap":
            visit = self.visit("na inloggen", "de eerste stap", page.title())
            self.fail("inloggen", f"na het inloggen geen stap maar {visit.title!r}", visit)
            raise _Stop

    def step(self) -> bool:
        """Answer the step on screen; True when the scenario ends here (refused as expected)."""
        form = self.page.locator("form[data-step-id]")
        step_id = self.current_step() or ""
        n = len(self.result.path)
        self.result.path.append(step_id)
        label = f"stap {n + 1} ({step_id})"
        expected = (
            self.verwacht.stappen[n] if n < len(self.verwacht.stappen) else self.outcome_text()
        )
        visit = self.visit(label, expected, step_id)
        if step_id != expected:
            after = f" na {self.verwacht.stappen[n - 1]!r}" if n else " als eerste stap"
            if n < len(self.verwacht.stappen):
                message = f"verwacht stap {expected!r}{after}, gevonden {step_id!r}"
            else:
                message = f"verwacht {expected}{after}, maar de pagina toont stap {step_id!r}"
            self.fail(label, message, visit)
            raise _Stop
        try:
            cfg = self.gemeente.step(step_id)
        except KeyError:
            self.fail(
                label, f"de server toont stap {step_id!r}, die niet in de configuratie staat", visit
            )
            raise _Stop from None
        if cfg.type == "documenten":
            self.asked = [
                str(name).removeprefix("doc-")
                for name in form.locator("input[type=file]").evaluate_all(
                    "els => els.map(e => e.name)"
                )
            ]
            self.documents_visit = visit
        if step_id in self.plan.answers:
            answer = self.plan.answers[step_id]
        elif cfg.type == "controleren":
            answer = True
        else:
            self.fail(label, f"stap {step_id!r}: geen antwoord in het scenario", visit)
            raise _Stop
        visit.answer = FILL[cfg.type](self, form, cfg, answer)
        self.submit(form.locator("button[type=submit]").last)
        if self.current_step() == step_id and self.has_errors():
            return self.refused(label, visit.answer)
        if self.result.resumed:
            self.find_next(cfg, answer)
        return False

    def refused(self, label: str, answer: str) -> bool:
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

    def find_next(self, cfg: Any, answer: Any) -> None:
        """With old answers the server skips steps answered before: look for the first later
        step the server lets us visit; that is the step a resident starting afresh gets."""
        if self.kind() == "einde" and _stops(cfg, answer):
            return
        ids = [s.id for s in self.gemeente.stappen]
        landed = self.current_step()
        end = ids.index(landed) if landed in ids else len(ids)
        back = self.page.url
        for candidate in ids[ids.index(cfg.id) + 1 : end]:
            self.page.goto(f"{self.base}/stap/{candidate}")
            if self.current_step() == candidate:
                return
        if self.page.url != back:
            self.page.goto(back)

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
            also = re.split(r"ook aangevraagd", visit.text, maxsplit=1, flags=re.I)
            applied = len(also) == 2 and "huisvestingsvergunning" in also[1].casefold()
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

    def kind(self) -> str:
        if self.current_step() is not None:
            return "stap"
        last = urlsplit(self.page.url).path.rstrip("/").rsplit("/", 1)[-1]
        return last if last in ("bevestiging", "einde", "verder", "inloggen") else "pagina"

    def current_step(self) -> str | None:
        step_id = self.page.evaluate(_STEP_ID)
        return str(step_id) if step_id is not None else None

    def has_errors(self) -> bool:
        return self.page.title().startswith("Fout") or (
            self.page.locator("[aria-invalid=true]").count() > 0
        )

    def error_messages(self) -> list[str]:
        page = self.page
        texts = page.locator("[data-module=error-summary] a, .error-summary a").all_inner_texts()
        if not texts:
            texts = page.locator("[id$='-error']").all_inner_texts()
        return list(
            dict.fromkeys(_clean(t).removeprefix("Fout:").strip() for t in texts if t.strip())
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

    def submit(self, button: Locator) -> None:
        with self.page.expect_navigation():
            button.click()

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

    # -- answering, per step type ----------------------------------------------------------

    def choose(self, form: Locator, name: str, value: str) -> None:
        option = form.locator(f'input[name="{name}"][value="{value}"]')
        if option.count() == 0:
            self.fail(self.where(), f"de keuze {value!r} staat niet op de pagina")
            raise _Stop
        option.check()

    def fill_vraag(self, form: Locator, cfg: Any, answer: Any) -> str:
        if cfg.invoer == "radio":
            self.choose(form, "waarde", answer)
            return str(answer)
        if cfg.invoer == "checkbox":
            for optie in cfg.opties:
                box = form.locator(f'input[name="waarde"][value="{optie.waarde}"]')
                box.set_checked(optie.waarde in answer)
            return ", ".join(answer) or "niets aangevinkt"
        form.locator('[name="waarde"]').fill(answer)
        return str(answer)

    def fill_datum(self, form: Locator, cfg: Any, answer: Any) -> str:
        day = dates.resolve(answer, self.today)
        for name, value in (("dag", day.day), ("maand", day.month), ("jaar", day.year)):
            form.locator(f'[name="{name}"]').fill(str(value))
        return f"{day.isoformat()} ({answer})" if isinstance(answer, str) else day.isoformat()

    def fill_adres(self, form: Locator, cfg: Any, answer: Any) -> str:
        for name in ("postcode", "huisnummer", "huisletter", "toevoeging"):
            form.locator(f'[name="{name}"]').fill(getattr(answer, name) or "")
        return " ".join(
            str(p)
            for p in (answer.postcode, answer.huisnummer, answer.huisletter, answer.toevoeging)
            if p
        )

    def fill_meeverhuizers(self, form: Locator, cfg: Any, answer: Mapping[str, str]) -> str:
        boxes = form.locator('input[type=checkbox][name="personen"]')
        offered = boxes.evaluate_all("els => els.map(e => e.value)")
        missing = [naam for bsn, naam in answer.items() if bsn not in offered]
        if missing:
            self.fail(self.where(), f"niet aangeboden om mee te verhuizen: {', '.join(missing)}")
            raise _Stop
        for i, bsn in enumerate(offered):
            boxes.nth(i).set_checked(bsn in answer)
        return ", ".join(answer.values()) or "niemand"

    def fill_woonsituatie(self, form: Locator, cfg: Any, answer: Any) -> str:
        self.choose(form, "woonvorm", answer)
        return str(answer)

    def fill_vergunning(self, form: Locator, cfg: Any, answer: Vergunning) -> str:
        self.choose(form, "keuze", answer.keuze)
        form.locator('[name="nummer"]').fill(answer.nummer)
        return f"{answer.keuze} {answer.nummer}".strip()

    def fill_documenten(self, form: Locator, cfg: Any, answer: Mapping[str, Bestand]) -> str:
        from playwright.sync_api import FilePayload

        asked = self.asked or []
        for doc_id, bestand in answer.items():
            if doc_id not in asked:
                if self.verwacht.documenten is None:  # else compare() reports the difference
                    self.fail(self.where(), f"het document {doc_id!r} wordt niet gevraagd")
                continue
            field = form.locator(f'input[type=file][name="doc-{doc_id}"]')
            if bestand.path is not None:
                field.set_input_files(bestand.path)
            else:
                data, mime = BUILTIN_FILES[bestand.naam]
                field.set_input_files(FilePayload(name=bestand.naam, mimeType=mime, buffer=data))
        return ", ".join(f"{d}: {b.naam}" for d, b in answer.items())

    def fill_contact(self, form: Locator, cfg: Any, answer: Any) -> str:
        form.locator('[name="email"]').fill(answer.email or "")
        form.locator('[name="telefoon"]').fill(answer.telefoon or "")
        return ", ".join(v for v in (answer.email, answer.telefoon) if v) or "niets ingevuld"

    def fill_controleren(self, form: Locator, cfg: Any, answer: Any) -> str:
        self.choose(form, "akkoord", "ja")
        return "akkoord"


# Per step type: how the runner enters a scenario answer (a test keeps this complete).
FILL: dict[str, Callable[[_Run, Locator, Any, Any], str]] = {
    "vraag": _Run.fill_vraag,
    "verhuisdatum": _Run.fill_datum,
    "nieuw_adres": _Run.fill_adres,
    "meeverhuizers": _Run.fill_meeverhuizers,
    "woonsituatie": _Run.fill_woonsituatie,
    "huisvestingsvergunning": _Run.fill_vergunning,
    "documenten": _Run.fill_documenten,
    "contactgegevens": _Run.fill_contact,
    "controleren": _Run.fill_controleren,
}


def _stops(cfg: Any, answer: Any) -> bool:
    return cfg.type == "vraag" and any(o.stop and o.waarde == answer for o in cfg.opties)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _contains(haystack: str, needle: str) -> bool:
    return _clean(needle).casefold() in _clean(haystack).casefold()


def _list(items: list[str]) -> str:
    return ", ".join(sorted(items)) or "geen"
