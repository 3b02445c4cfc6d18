"""Accounts: registration, email confirmation, sign in and out, sessions, passwords, two-step sign-in."""
