"""The JSON API and its OpenAPI document. May import `web`, `conversation`,
`catalog`, `library`, `text` and the root; never the site's views."""
