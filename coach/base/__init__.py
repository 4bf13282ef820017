"""Foundations every layer may use: errors, where shipped data lives, the user's data folder,
colours for the two sides. Imports nothing else from coach."""
