"""Registers the service consults: the BRP (persons) and the address register (BAG/PDOK)."""
