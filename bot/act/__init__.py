"""Act: the action runner, and the one way an action changes state."""
