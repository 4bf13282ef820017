"""Grading scales (Sunnybrook, eFACE) and the measured suggestions for them."""
