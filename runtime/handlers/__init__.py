"""Lambda adapters: ``provisioning`` (SCIM requests behind API Gateway) and ``authorizer`` (TOKEN authorizer).

Deliberately empty of imports: each function imports only its own handler module, so the
authorizer's cold start never pays for the SCIM core and the provisioning function never loads
the authorizer.
"""
