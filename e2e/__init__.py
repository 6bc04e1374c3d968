"""End-to-end tests: a real browser against the real server (pytest -m e2e)."""
