"""Mail: listeners' addresses (opt-in, confirmation, unsubscribing), hosts' mail
about new comments, the outbox written with each event, composing and
delivering over SMTP, and the confirm and unsubscribe pages. May import `web`,
`auth`, the domain parts and the root.

`outbox` listens to `conversation.events` and queues mail in the event's own
transaction; `deliver` (run by `hub deliver`) claims due rows, composes each
mail from what the database says then (`compose`), and sends it.
"""
