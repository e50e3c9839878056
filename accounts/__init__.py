"""Users, their profile and preferences, device tokens, and account export and deletion."""
