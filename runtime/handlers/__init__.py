"""Lambda entry points: thin adapters from API Gateway events to the runtime core."""
