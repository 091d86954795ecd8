"""Tests of the campaign aggregate's rules, called directly (as the CLI or API would)."""
