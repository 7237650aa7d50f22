"""The pharmacy room: the preparation queue and its dialogs."""
