"""Opportunities and events: jobs, locums, fellowship positions, research collaborations, conferences,
workshops and webinars, with bookmarks, expressions of interest, RSVPs, calendars and a weekly digest.
Writes are in ``services/``, reads in ``queries/``, pages in ``routes/``, each a module per job."""
