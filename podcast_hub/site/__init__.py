"""The public site: the show, episode pages, posting comments, media. May import
`web`, `conversation`, `catalog`, `library`, `text` and the root."""
