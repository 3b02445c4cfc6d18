"""A member's scholarly record: articles, abstracts, posters, talks, grants and roles, with their co-authors."""
