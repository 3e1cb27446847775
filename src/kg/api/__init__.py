"""Everything HTTP: the FastAPI app (`kg.api.app.create_app`), its routers and the server command."""
