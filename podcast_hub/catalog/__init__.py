"""The catalogue of episodes: importing the media folder, what is published and
when, the host's uploads, edits and show settings. May import `library`, `text`
and the root."""
