"""Registers the service consults: the BRP (persons) and the address register (BAG/PDOK).

``brp`` and ``adressen`` hold the contracts and the file-backed test registers, ``testpersonen``
the persons a test login offers (not part of the BRP contract), and ``factory`` the choice by
settings (``VERHUIZEN_BRP``, ``VERHUIZEN_ADRESSEN``, ``VERHUIZEN_TESTDATA_DIR``).
"""
