"""The catalogue of episodes: which are published and when, and the host's
editing, uploads and show settings. May import `library`, `text` and the root."""
