"""GitHub behind a small facade: the port protocol, its PyGithub adapter and App auth."""
