"""Gemeente configuration: typed models, loading with precise errors, JSON Schema export."""
