"""Page script: match a job posting."""

from ui import matcher

matcher.page()
