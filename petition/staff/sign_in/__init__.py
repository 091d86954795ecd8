"""Signing in to the console: password, second factor, sessions, setting a password."""
