"""Page script: screen candidates."""

from ui import screener

screener.page()
