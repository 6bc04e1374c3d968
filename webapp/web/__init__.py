"""The web layer: Starlette routes, cookies and CSRF, template rendering."""
