"""Merak's gRPC servers: intake, feedback, models, detection, ledger.

Servicers are thin: they convert proto <-> domain and map typed errors to status codes;
the work is done by plain functions in the layers below.
"""
