"""What the opportunity pages read, one module per job: ``board`` (the board, its archive and the home page's
list), ``opportunity`` (one opportunity and its answers) and ``member`` (a member's own page, feed and
settings). Reads only: they build statements and fetch rows, never write."""
