"""HAL unit tests."""
