"""Hosts: their accounts and passwords, logging in and out. May import `web`,
`catalog`, `text` and the root."""
