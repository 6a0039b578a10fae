"""Everything that runs on Ray: offline features, training sets, retraining, worker pools."""
