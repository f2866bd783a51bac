"""Text: moments ("12:34"), plain text and Markdown made safe HTML, names as
they look, field rules (`rules`). May import only `text`; knows nothing of Flask
or the database."""
