"""Request handlers, grouped: general pages, login, the steps, staging tools.

Every state change is a POST with a CSRF token, answered by a redirect. The routes and their
names are in :mod:`webapp.web.app`; handlers make URLs with ``path_for`` from those names.
"""
