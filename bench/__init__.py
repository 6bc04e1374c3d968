"""The benchmark harness of eDienst Verhuizen: ``python -m bench`` (see bench/README.md)."""
