"""Kinds of notification, grouped for preferences: each group has a label and a default delivery.

Pure data (no Flask, no database), so the mail area can name a mail's group for its unsubscribe link.
"""

from __future__ import annotations

from dataclasses import dataclass

from network.types import LabelledEnum


class Delivery(LabelledEnum):
    """How a member wants one group of notifications."""

    IN_APP = "in_app", "On the site only"
    IMMEDIATE = "immediate", "On the site and by email right away"
    DAILY = "daily", "On the site and in a daily digest email"
    OFF = "off", "Off: no notification at all"

    @property
    def mails(self) -> bool:
        return self in (Delivery.IMMEDIATE, Delivery.DAILY)


#: The name the notifications area used before deliveries were chosen per group.
EmailMode = Delivery


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    hint: str
    default: Delivery = Delivery.IMMEDIATE


GROUPS: tuple[Group, ...] = (
    Group("message", "Direct messages", "A member writes to you."),
    Group("mentorship", "Mentoring", "Requests, accepts, declines and endings of mentorships."),
    Group("discussion-mention", "Mentions", "Someone mentions you in a discussion."),
    Group("discussion-reply", "Replies", "New posts in threads you follow."),
    Group("discussion-answer", "Accepted answers", "Your reply is accepted as the answer to a thread."),
    Group("opportunity", "Opportunities", "Interest in what you posted, event changes, waitlist seats."),
    Group("cohort", "Cohort", "Invitations and graduation."),
    Group("matching", "Matching rounds", "Results of a matching round you are in."),
    Group("reminder", "Reminders", "A meeting is overdue or a request waits for your answer."),
    Group("scholarly", "Co-authorship", "A member lists you as a co-author of a publication, abstract or talk."),
    Group("other", "Other", "Anything else the network tells you."),
)
GROUPS_BY_KEY = {group.key: group for group in GROUPS}
#: Kinds named exactly (checked before prefixes).
EXACT = {"discussion-mention": "discussion-mention", "discussion-reply": "discussion-reply",
         "discussion-answer": "discussion-answer"}
#: Kind prefixes and their group.
PREFIXES = {"message-": "message", "mentorship-": "mentorship", "opportunity-": "opportunity",
            "cohort-": "cohort", "matching-": "matching", "reminder-": "reminder",
            "scholarly-": "scholarly"}


def group_of(kind: str) -> Group:
    """The preference group of a notification kind; unknown kinds fall under "Other"."""
    if kind in EXACT:
        return GROUPS_BY_KEY[EXACT[kind]]
    for prefix, key in PREFIXES.items():
        if kind.startswith(prefix):
            return GROUPS_BY_KEY[key]
    return GROUPS_BY_KEY["other"]
