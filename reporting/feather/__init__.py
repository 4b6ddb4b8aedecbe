"""Feather API reporting: frames from models, aggregates and figures."""
