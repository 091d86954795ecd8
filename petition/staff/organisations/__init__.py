"""The organisation review screen: the queue across campaigns and one organisation's page."""
