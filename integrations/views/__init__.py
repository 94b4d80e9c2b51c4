"""The integration pages: the list, each integration's tabs, and the bell's notifications."""
