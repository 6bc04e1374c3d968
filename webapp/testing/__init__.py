"""The resident driver in a real browser, and the test data it answers with.

One set of answers serves every driver: each step type's example answer
(``StepType.example``) or answers given as form fields (:class:`webapp.steps.base.FormAnswer`),
e.g. from a scenario file. The e2e tests, the accessibility evidence crawler and the scenario
runner walk with :class:`webapp.testing.resident.BrowserResident`; the ASGI tests' driver
(``tests/driver.py``, not part of the package) posts the same fields through Starlette's test
client. Never imported by the server.
"""
