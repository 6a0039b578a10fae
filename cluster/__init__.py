"""Everything that runs on Ray: offline features, training sets, retraining, worker pools.

Import ``merak.cluster.features`` for the offline feature job; Ray itself is imported lazily.
"""

from merak.cluster._ray import RayUnavailableError

__all__ = ["RayUnavailableError"]
