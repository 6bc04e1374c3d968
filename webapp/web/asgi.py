"""ASGI entry point for uvicorn and other servers: settings come from the environment."""

from __future__ import annotations

from webapp import logs
from webapp.settings import Settings
from webapp.web.app import create_app

logs.configure()
app = create_app(Settings.from_env())
