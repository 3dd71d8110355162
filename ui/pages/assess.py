"""Page script: the self-assessment."""

from ui import intake

intake.page()
