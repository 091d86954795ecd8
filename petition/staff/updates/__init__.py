"""The campaign updates screen: write an update, preview it with its count, confirm it."""
