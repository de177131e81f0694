"""The FastAPI edge (routers, schemas, error translation). Holds no retrieval logic."""
