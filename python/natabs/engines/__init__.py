"""Engines: computation over each kind of system, without result objects (private layer).

The Rust core is reached through ``natabs._native``; this package wraps it for the measures.
"""
