"""Generated protobuf and gRPC code for the `merak.v1` API (from protos/merak/v1).

Do not edit the `*_pb2*` modules by hand: run `make protos`. A test fails when they are stale.
"""
