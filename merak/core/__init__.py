"""Merak's core: configuration, typed errors, code lists and the domain types.

The bottom layer of the import contract: it imports nothing from services, cluster,
scorer or hal, and nothing from grpc.
"""
