"""Foundations every layer may use: errors, where shipped data lives, the user's data folder,
private output files written whole, colours for the two sides. Imports nothing else from coach."""
