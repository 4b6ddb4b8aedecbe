"""A local stand-in for the Aymara v2 and Feather v1 APIs, serving a seeded demo dataset."""
