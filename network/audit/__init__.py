"""The audit log: who did what to whom, for every administrative action."""
