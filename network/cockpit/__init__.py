"""The program staff's cockpit: what needs attention in each current cohort (fellows without a mentor of a type,
overdue mentorships, waiting requests, open rounds' ranking progress, unanswered invitations, held posts), the
lists behind each number, reminders ("nudges") from those lists, and the weekly brief mailed to staff."""
