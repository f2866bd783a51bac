"""The audio library: reading audio files, cover art and sidecars from the media
folder, and importing them. May import `text`, `models`, `extensions`, `errors`;
knows nothing of the web."""
