"""Page script: rules and sources."""

from ui import rulebook

rulebook.page()
