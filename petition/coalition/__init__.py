"""Organisations joining a campaign's coalition: sign-on, logos, review and the public list."""
