"""Risk models: training, export to arrays, the Numba scoring engine, the model registry."""
