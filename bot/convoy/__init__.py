"""Convoys: Sonnet splits an issue into sub-issues, cheap tiers execute them in dependency order, Opus reviews the whole."""
