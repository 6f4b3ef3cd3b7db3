"""Dates: the clock, ISO weeks in the landlord's time zone, and working days."""
