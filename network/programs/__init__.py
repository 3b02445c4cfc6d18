"""Programs, their cohorts and who belongs to them; access rules depend on these models."""
