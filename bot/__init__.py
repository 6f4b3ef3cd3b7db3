"""modbot: applies a landlord's Unacceptable Customer Behaviour policy to its social accounts."""

__version__ = "0.1.0"
