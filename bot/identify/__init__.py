"""Identify: accounts, tenancy records, account links, the alias log and its suspicions."""
