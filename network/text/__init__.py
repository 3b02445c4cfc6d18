"""Text handling shared by every area: markdown rendering and sanitising."""
