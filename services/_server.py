"""The one server bootstrap every Merak service uses.

``create_server(config)`` builds a gRPC server with the configured services, health
checking (``grpc.health.v1``), server reflection, auth, metrics and access logs, binds it
(TLS when configured) and returns ``(server, port)`` without starting it.

Interceptors, outermost first: telemetry (every call counted and logged, refused ones
too), auth (identity, roles, then the request body parsed), admission (default deadline,
stream limits).
"""

from __future__ import annotations

import logging
import threading
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry, start_http_server

from merak.core.config import MerakConfig
from merak.core.tracing import tracing_active
from merak.services._admission import AdmissionInterceptor
from merak.services._auth import AuthInterceptor
from merak.services._metrics import DomainMetrics, install_process_collectors
from merak.services._registry import ServiceContext, register_fn
from merak.services._telemetry import RpcMetrics, TelemetryInterceptor
from merak.services._tls import server_credentials
from merak.services._tracing import TracingInterceptor

log = logging.getLogger("merak.server")


class MerakServer:
    """A built gRPC server with its health servicer and metrics endpoint."""

    def __init__(
        self,
        grpc_server: grpc.Server,
        health_servicer: health.HealthServicer,
        service_names: list[str],
        context: ServiceContext,
        registry: CollectorRegistry,
        address: str,
    ):
        self.grpc_server = grpc_server
        self.health = health_servicer
        self.service_names = service_names
        self.context = context
        self.registry = registry
        self.address = address
        self.metrics_port: int | None = None
        self._metrics_httpd: Any = None
        self._stopped = threading.Event()

    def start(self) -> None:
        """Start serving, mark every service SERVING, and open the metrics endpoint."""
        metrics = self.context.config.metrics
        if metrics.enabled:
            self._metrics_httpd, _ = start_http_server(metrics.port, metrics.host, self.registry)
            self.metrics_port = int(self._metrics_httpd.server_port)
        self.grpc_server.start()
        for name in ["", *self.service_names]:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info(
            "serving",
            extra={
                "address": self.address,
                "services": self.service_names,
                "metrics_port": self.metrics_port,
                "tls": self.context.config.tls.enabled,
            },
        )

    def stop(self, grace: float | None = None) -> None:
        """Stop gracefully: NOT_SERVING first, in-flight calls get ``grace`` seconds, then close."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        grace = self.context.config.server.grace_seconds if grace is None else grace
        self.health.enter_graceful_shutdown()
        self.grpc_server.stop(grace).wait()
        self.context.run_stop_callbacks()
        if self._metrics_httpd is not None:
            self._metrics_httpd.shutdown()
            self._metrics_httpd.server_close()
        log.info("stopped", extra={"address": self.address})

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        return bool(self.grpc_server.wait_for_termination(timeout))


def create_server(config: MerakConfig) -> tuple[MerakServer, int]:
    """Build and bind a server for ``config.server.services``; return it unstarted and its port."""
    registry = CollectorRegistry(auto_describe=True)
    domain = DomainMetrics(registry) if config.metrics.enabled else None
    if domain is not None:
        install_process_collectors(registry)
    interceptors = [
        *([TracingInterceptor()] if tracing_active() else []),  # outermost: the call's span
        TelemetryInterceptor(
            RpcMetrics(registry) if config.metrics.enabled else None, config.log.access_log
        ),
        AuthInterceptor(config.auth, config.server.stream_idle_s),
        AdmissionInterceptor(config.server),
        *([domain] if domain is not None else []),  # innermost: what the servicers answered
    ]
    opts = [
        ("grpc.max_receive_message_length", config.server.max_message_bytes),
        ("grpc.max_send_message_length", config.server.max_message_bytes),
        ("grpc.so_reuseport", 0),
    ]
    grpc_server = grpc.server(
        futures.ThreadPoolExecutor(
            max_workers=config.server.max_workers, thread_name_prefix="merak-rpc"
        ),
        interceptors=interceptors,
        options=opts,
        maximum_concurrent_rpcs=config.server.max_concurrent_rpcs,
    )
    context = ServiceContext(config)
    names: list[str] = []
    for service in config.server.services:
        names.extend(register_fn(service)(grpc_server, context))
    if domain is not None:
        domain.watch(context)
    health_servicer = health.HealthServicer(
        experimental_non_blocking=True,
        experimental_thread_pool=futures.ThreadPoolExecutor(max_workers=1),
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, grpc_server)
    reflection.enable_server_reflection(
        [
            *names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        grpc_server,
    )
    address = f"{config.server.host}:{config.server.port}"
    if ":" in config.server.host and not config.server.host.startswith("["):
        address = f"[{config.server.host}]:{config.server.port}"
    if config.tls.enabled:
        port = grpc_server.add_secure_port(address, server_credentials(config.tls))
    else:
        port = grpc_server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC server to {address}")
    bound = address.rsplit(":", 1)[0] + f":{port}"
    return MerakServer(grpc_server, health_servicer, names, context, registry, bound), port
