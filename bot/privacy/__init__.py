"""Personal data: subject access exports and the retention purge."""
