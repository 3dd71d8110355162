"""Page script: about the model."""

from ui import about

about.page()
