"""Tools > Preferences: clinic settings, holidays, closing a date."""
