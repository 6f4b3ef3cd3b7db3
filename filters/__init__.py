"""Text filters and behaviour detectors: pure functions from text (or history) to findings."""
