"""Settings: the config schema, loading it, secrets from the environment, saved settings."""
