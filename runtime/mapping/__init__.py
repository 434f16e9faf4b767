"""IdP attribute mapping: SCIM User resources ↔ the Connect user state, with IdP differences as data.

``profiles`` says which SCIM attribute carries security/routing profile names for each IdP
(Okta ``entitlements``/``roles``, Entra enterprise ``department``, generic: our extension only)
and which ``ScimPolicy`` preset applies. ``tags`` encodes the attributes Connect has no field
for into ``scim:`` user tags within Connect's limits. ``codec`` turns a desired SCIM resource
into a desired Connect state and a Connect user back into the SCIM resource, so that whatever an
IdP sends and we accept reads back the same.
"""
