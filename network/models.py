"""Import every model module so the metadata (and Alembic) sees all tables."""

from network.audit.models import AuditLog  # noqa: F401
from network.mail.models import EmailOutbox  # noqa: F401
from network.members.models import User  # noqa: F401
from network.programs.models import Cohort, CohortMembership, Program  # noqa: F401
from network.profiles.models import Profile, SavedMember  # noqa: F401
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty  # noqa: F401
from network.discussions.models import Category, Flag, Post, PostRevision, ReadMark, Subscription, Thread  # noqa: F401
from network.notifications.models import Notification, NotificationSetting  # noqa: F401
from network.mentorship.models import Goal, Meeting, MentorSettings, Mentorship, MentorshipRequest  # noqa: F401
from network.opportunities.models import (Bookmark, DigestDelivery, ExpressionOfInterest, Opportunity,  # noqa: F401
                                          OpportunityPreference, Rsvp)
from network.programs.models import ProgramStaff  # noqa: F401
from network.cohorts.models import Graduation, Invitation, RosterImport  # noqa: F401
from network.admin.models import MemberDeactivation  # noqa: F401
# (each feature area adds its models module on its own line above this comment)
