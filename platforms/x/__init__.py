"""X: settings, posts and DMs as contacts, webhooks, errors, and the connector (tweepy)."""
