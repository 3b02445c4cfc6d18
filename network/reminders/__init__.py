"""Reminders: ``flask reminders send`` nudges overdue mentorships and mentors with waiting requests."""
