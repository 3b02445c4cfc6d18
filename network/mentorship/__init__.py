"""Mentorship: mentor settings, recommendations, requests, mentoring teams and the workspace."""
