"""The Streamlit front end: pages that turn widgets into one validated input,
call one engine function, and render. No scoring logic lives here."""
