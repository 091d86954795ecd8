"""The staff console at /staff/: sign-in with a second factor, roles, and the tools."""
