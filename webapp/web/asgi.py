"""ASGI entry point for uvicorn and other servers: settings come from the environment."""

from __future__ import annotations

from webapp.settings import Settings
from webapp.web.app import create_app

app = create_app(Settings.from_env())
