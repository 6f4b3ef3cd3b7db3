"""Real SDK clients against recorded traffic and a local fake server."""
