"""Everything that runs on Ray: offline features, training sets, retraining, worker pools.

Import ``cluster.features`` for the offline feature job; Ray itself is imported lazily.
"""
