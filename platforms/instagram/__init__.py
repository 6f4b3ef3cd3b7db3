"""Instagram professional accounts, through the Instagram Graph API (facebook-sdk)."""
