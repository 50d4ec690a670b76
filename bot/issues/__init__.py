"""Issues as the router sees them: routing one issue, its labels, the sticky comment and its state."""
