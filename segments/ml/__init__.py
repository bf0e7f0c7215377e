"""Numeric work as pure functions over pandas and numpy. Nothing here imports Django."""
