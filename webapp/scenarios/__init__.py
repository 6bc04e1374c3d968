"""Scenario files a gemeente writes to test its own configuration, and the browser runner.

``config/gemeenten/scenarios/<slug>.yaml`` holds the scenarios (format: :mod:`.model`, checked
against the gemeente's configuration by :mod:`.loader`); :mod:`.runner` plays them in a real
browser against a running server and :mod:`.report` writes the HTML and JUnit reports.
Playwright is imported only inside the functions that drive a browser.
"""
