"""Shared helpers with no domain and no models: the floor every app stands on.

Nothing here imports a project package; import-linter keeps it so.
"""
