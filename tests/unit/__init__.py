"""Unit tests: pure functions and the clients against httpx.MockTransport."""
