"""A production-like attack run against the application: `python bench/attack/run.py`.

See run.py's docstring for what it sets up and what it tries.
"""
