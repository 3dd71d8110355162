"""Page script: the counselor's clients."""

from ui import clients

clients.page()
