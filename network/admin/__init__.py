"""The administrators' wing."""
