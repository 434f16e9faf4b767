"""The Pulumi program under mocks, its components' conventions, and the Lambda packaging."""
