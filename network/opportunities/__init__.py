"""Opportunities and events: jobs, locums, fellowship positions, research collaborations, conferences,
workshops and webinars, with bookmarks, expressions of interest, RSVPs, calendars and a weekly digest."""
