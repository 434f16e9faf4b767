"""The Connect directory: the only code in connect-scim that calls Amazon Connect (boto3)."""
