"""Readiness on screen: verdict texts, the gate, override and lab dialogs."""
