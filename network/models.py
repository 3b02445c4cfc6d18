"""Import every model module so the metadata (and Alembic) sees all tables."""

from network.audit.models import AuditLog  # noqa: F401
from network.auth.models import ApiToken, RecoveryCode, TwoFactor  # noqa: F401
from network.cache import cache_version  # noqa: F401  (the cache versions; network/cache.py)
from network.cohorts.models import Graduation, Invitation, RosterImport  # noqa: F401
from network.discussions.email_replies import addresses  # noqa: F401  (its signal receiver: deleted accounts)
from network.discussions.email_replies.models import ReplyAddress, ReplyByEmailStop  # noqa: F401
from network.discussions.models import (  # noqa: F401
                                        Category,
                                        Flag,
                                        Post,
                                        PostRevision,
                                        Reaction,
                                        ReadMark,
                                        Subscription,
                                        Thread,
)
from network.identity.models import IdentityProvider, LinkedIdentity, UsedAssertion  # noqa: F401
from network.mail.models import EmailOutbox  # noqa: F401
from network.matching.models import Choice, MatchingRound, MatchingRun, Override, Participant  # noqa: F401
from network.members.models import MemberDeactivation, MemberSession, User  # noqa: F401
from network.mentorship.models import Goal, Meeting, MentorSettings, Mentorship, MentorshipRequest  # noqa: F401
from network.messages.models import Conversation, MemberBlock, Message, MessageReport, MessagingSetting  # noqa: F401
from network.notifications.models import Notification, NotificationPreference  # noqa: F401
from network.opportunities.models import (  # noqa: F401
                                          Bookmark,
                                          DigestDelivery,
                                          ExpressionOfInterest,
                                          Opportunity,
                                          OpportunityPreference,
                                          Rsvp,
)
from network.profiles import indexing  # noqa: F401  (a newly verified member gets a profile)
from network.profiles.models import Profile, SavedMember  # noqa: F401
from network.programs.models import (  # noqa: F401
                                          Cohort,
                                          CohortMembership,
                                          Program,
                                          ProgramStaff,
)
from network.reminders.models import ReminderLog  # noqa: F401
from network.scholarly import services as scholarly_services  # noqa: F401  (its signal receiver: deleted accounts)
from network.scholarly.models import ScholarlyAuthor, ScholarlyImport, ScholarlyItem  # noqa: F401
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty  # noqa: F401
# (each feature area adds its models module on its own line above this comment)
