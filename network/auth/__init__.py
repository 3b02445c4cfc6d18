"""Accounts: registration, email confirmation, sign in and out, passwords."""
