"""The delivery screens: queue packages, follow them, record their delivery, word the letter."""
