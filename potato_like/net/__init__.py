"""Outbound network access: every fetch the server makes on a user's behalf goes through
`safe_fetch` (address checks after DNS and on every redirect, size and time caps)."""
