"""Unit tests of the SCIM app core (routing, bodies, errors, listing) over an in-memory service."""
