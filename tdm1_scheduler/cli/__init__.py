"""``tdm1-scheduler``: the command line, one module per command group."""
