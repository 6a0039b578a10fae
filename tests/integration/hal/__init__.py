"""HAL integration tests."""
