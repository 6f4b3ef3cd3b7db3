"""Reddit: settings, comments and messages as contacts, and the connector (praw)."""
