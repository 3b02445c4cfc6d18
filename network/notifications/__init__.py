"""In-app notifications and each member's email preference."""
