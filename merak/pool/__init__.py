"""The trade data pool: nine categories of data in partitioned Parquet, and its import."""
