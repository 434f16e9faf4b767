"""Services orchestrate one SCIM operation: SCIM in, Connect calls via the directory, SCIM out."""
