"""End-to-end tests: HTTP against the local SCIM server over the Connect emulator."""
