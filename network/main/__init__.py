"""The landing page, the signed-in home, the pending page and the health check."""
