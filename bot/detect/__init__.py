"""Detect: the text classifier and behaviour detectors built from the config, and history."""
