"""Setup's pages, one module per area: the org, users, validation rules, support."""
