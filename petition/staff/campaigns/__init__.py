"""The campaigns screen: the list, each campaign's settings, texts and negotiating parties."""
