"""Tests of the TOKEN authorizer Lambda (runtime/handlers/authorizer.py)."""
