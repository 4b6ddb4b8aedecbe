"""Uploaded responses -> a checked ScoreRequest: parse, validate, request, templates."""
