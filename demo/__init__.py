"""The demo org: Acme Corporation, its users, groups and a validation rule."""
