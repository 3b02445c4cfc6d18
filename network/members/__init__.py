"""Members: the people of the network. Their model sits below every feature area."""
