"""The `hub` command line and the demo show. May import every part."""
