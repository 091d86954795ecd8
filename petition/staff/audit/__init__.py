"""The audit trail screen (admins only): read, filter and page; never change or delete."""
