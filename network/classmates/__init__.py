"""A fellow's "My class": their current cohort's people, the mentors they may see, the class's discussion
category and the dates coming up for them and the class (``queries``; the page in ``routes``)."""
