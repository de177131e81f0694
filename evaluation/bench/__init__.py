"""Benchmarks (speed and memory); never run as tests."""
