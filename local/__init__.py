"""Run connect-scim on one machine: the Amazon Connect emulator and the local dev server.

Nothing here is packaged into Lambda; ``python -m local ...`` is the entry point.
"""
