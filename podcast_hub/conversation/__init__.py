"""The conversation: posting, threads and their order, moderation, the inbox,
insights and the timeline. May import `catalog`, `library`, `text` and the root;
never Flask's `request`."""
