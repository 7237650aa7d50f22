"""The nurse room: the chair board, its tiles, timers and recording dialogs."""
