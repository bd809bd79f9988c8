"""Reports read metrics/ and leave the dashboard: the brief pushed to chat groups (push/)."""
