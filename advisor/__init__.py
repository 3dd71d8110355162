"""Career-path advisor and job-readiness assessor: the engine.

Importable and usable without Streamlit; every view (CLI, app, reports)
calls the same functions here.
"""

__version__ = "0.1.0"
