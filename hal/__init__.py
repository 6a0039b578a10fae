"""Hardware abstraction layer: instrument devices, simulators, and the ZeroMQ node."""
