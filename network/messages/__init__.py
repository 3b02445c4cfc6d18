"""Direct messages: one conversation per pair of members, who may start one, blocks, and reports to
moderators (an administrator sees a reported message, never a conversation)."""
