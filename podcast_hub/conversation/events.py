"""What happens to comments, told to the parts that act on it (mail queues its
messages here) inside the transaction of the change, before it commits.

A listener is `listener(comment, before)`: `before` is None for a new comment,
else the status the comment had before a moderation action changed it. It may
add rows to `db.session`; it must not commit.
"""

from collections.abc import Callable

from ..models import Comment

Listener = Callable[[Comment, str | None], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Call `listener` for every new comment and change of status; once each."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def changed(comment: Comment, before: str | None) -> None:
    """Tell every listener that `comment` is new (`before` None) or that its status
    was `before`."""
    for listener in _listeners:
        listener(comment, before)
