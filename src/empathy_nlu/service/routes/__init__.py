"""The service's routes, one module per role: understanding, conversations, operations."""
