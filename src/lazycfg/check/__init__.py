"""Checking values against a target's signature: specs and compiled annotation checkers."""
