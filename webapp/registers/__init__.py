"""Registers the service consults: the BRP (persons) and the address register (BAG/PDOK).

``brp`` and ``adressen`` hold the contracts and the file-backed test registers, ``testpersonen``
the persons a test login offers (not part of the BRP contract), and ``factory`` reads the test
data folder (``VERHUIZEN_TESTDATA_DIR``). Which register a gemeente uses: :mod:`webapp.koppelingen`.
"""
