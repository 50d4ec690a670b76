"""The dashboard page, shared by the App's /dashboard (bot.app.dashboard) and `model-router report --html`."""
