"""The staff accounts screen (admins): add, change role, disable, reset a second factor."""
