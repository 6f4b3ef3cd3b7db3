"""The review pages, one module per area; each is a FastAPI router the app includes."""
