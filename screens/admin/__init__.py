"""Screens for the programme's administration, opened from the command palette."""
