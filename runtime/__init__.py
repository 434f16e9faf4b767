"""connect-scim runtime: everything shipped inside the Lambda archive.

Rooms: ``scim`` (protocol, never imports boto3), ``connect`` (the only code that calls
Amazon Connect), ``mapping`` (IdP profiles as data), ``service`` (orchestrates one SCIM
operation), ``handlers`` (Lambda adapters).
"""
