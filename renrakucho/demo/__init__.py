"""Demo data for `make run` and the browser tests (`manage.py seed_demo`).

Everything here is fictional except the public names of places (伊那市, 南箕輪村, 箕輪町,
上伊那, 伊那中央病院). Phone numbers use the unassigned 0265-00-xxxx block.
"""
