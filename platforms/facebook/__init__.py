"""Facebook Page: settings, Graph items as contacts, errors, and the connector (facebook-sdk)."""
