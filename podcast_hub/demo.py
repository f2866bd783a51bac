"""The demo show (stub: being written)."""


def load():
    raise NotImplementedError
