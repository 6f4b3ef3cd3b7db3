"""One connector per platform behind one interface (`platforms.base.Connector`)."""
