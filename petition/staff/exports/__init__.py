"""The export screen: choose the rows and the format, download the file."""
