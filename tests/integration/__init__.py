"""Integration tests: real HTTP to the simulator, and the on-disk store."""
