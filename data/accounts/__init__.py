"""Who may do what: the roles, the named accounts kept with the store (users) and the password hashing and
throttling every sign-in uses (passwords)."""
