"""Everything that runs on Ray: offline features, training sets, retraining, worker pools.

Import ``merak.cluster.features`` for the offline feature job; Ray itself is imported lazily.
"""

from merak.cluster._ray import (
    RayUnavailableError,
    resolve_address,
    serve_with_graceful_sigterm,
    shutdown_ray,
)

__all__ = ["RayUnavailableError", "resolve_address", "serve_with_graceful_sigterm", "shutdown_ray"]
