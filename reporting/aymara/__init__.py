"""Aymara API reporting: frames from models, aggregates, comparisons and figures."""
