"""Individual signing and email confirmation."""
