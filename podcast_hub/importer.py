"""Sync a folder of audio files into episodes (stub: being written)."""


def sync(directory):
    """Create or update an episode for each audio file in `directory`."""
    raise NotImplementedError
