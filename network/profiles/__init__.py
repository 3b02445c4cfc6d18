"""Member profiles, the taxonomy they use, privacy settings and the member directory."""
