"""The Aymara v2 side of the simulator: a seeded demo account and the routes that serve it."""
