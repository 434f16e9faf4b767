"""The provisioning Lambda handler driven by API Gateway REST proxy event fixtures."""
