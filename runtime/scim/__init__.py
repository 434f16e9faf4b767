"""SCIM 2.0 protocol (RFC 7643/7644): errors, filters, PATCH, listing, discovery. No boto3 here."""
