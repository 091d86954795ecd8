"""The negotiating parties screen: the people and bodies campaigns address."""
