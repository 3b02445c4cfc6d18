"""Matching mentees and mentors: pure functions and data, no Flask import."""

from network.matching.engine import blocking_pairs, optimal_match, stable_match

__all__ = ["blocking_pairs", "optimal_match", "stable_match"]
