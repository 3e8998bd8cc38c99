"""Operator tooling for tickersim: never shipped to Lambda."""
