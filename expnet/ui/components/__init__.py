"""Small custom Streamlit components (static HTML + JS served from their own folder)."""
