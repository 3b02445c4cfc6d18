"""Discussion threads: categories, threads, posts, moderation, subscriptions, unread tracking and search."""
