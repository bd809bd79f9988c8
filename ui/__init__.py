"""Shared dashboard layer: selection state, cached data access, labels, widgets, charts."""
