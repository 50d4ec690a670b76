"""The GitHub Action: adapt the runner's env and event file into a Context and run the shared handlers."""
