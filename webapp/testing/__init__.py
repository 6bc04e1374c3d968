"""Test drivers: a resident walking the journey, through the ASGI app or in a real browser.

One set of answers serves them all: each step type's example answer (``StepType.example``) or
answers given as form fields (:class:`webapp.steps.base.FormAnswer`), e.g. from a scenario
file. The e2e tests, the accessibility evidence crawler and the scenario runner walk with
:class:`webapp.testing.resident.BrowserResident`; ``tests/driver.py`` posts the same fields
through Starlette's test client. Never imported by the server.
"""
