#!/opt/merak/bin/python
"""Container health check: grpc.health.v1 Check on this container's Merak server.

Exit 0 when the server answers SERVING, 1 otherwise (Docker's HEALTHCHECK convention).
The address is MERAK_HEALTH_ADDRESS, else 127.0.0.1:$MERAK__SERVER__PORT (default 50051).
A HAL node has no gRPC server: MERAK_HEALTH_URL (an http URL, e.g. its /metrics) is
fetched instead.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    url = os.environ.get("MERAK_HEALTH_URL", "")
    if url:
        try:
            with urllib.request.urlopen(url, timeout=4) as reply:
                return 0 if reply.status == 200 else 1
        except OSError as exc:
            print(f"unhealthy: {url}: {exc}", file=sys.stderr)
            return 1
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    port = os.environ.get("MERAK__SERVER__PORT", "50051")
    address = os.environ.get("MERAK_HEALTH_ADDRESS", f"127.0.0.1:{port}")
    try:
        with grpc.insecure_channel(address) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=4
            )
    except grpc.RpcError as exc:
        print(f"unhealthy: {address}: {exc.code().name}", file=sys.stderr)
        return 1
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        print(f"unhealthy: {address}: {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
