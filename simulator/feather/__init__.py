"""The Feather v1 side of the simulator: a seeded demo dataset and the routes that serve it."""
