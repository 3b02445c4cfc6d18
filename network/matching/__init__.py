"""Matching mentees and mentors: pure functions and data, no Flask import."""
