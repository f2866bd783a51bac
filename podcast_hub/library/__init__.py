"""The audio library: what audio files, cover art and sidecars in the media folder
say, read with mutagen, Pillow and tomllib. May import only `text` and the root;
knows nothing of the web."""
