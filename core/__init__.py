"""What every layer may read: settings, the clock, the locale rules. Imports nothing of the app."""
