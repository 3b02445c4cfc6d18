"""A member's own data, gathered from every area into one download ("Download your data")."""
