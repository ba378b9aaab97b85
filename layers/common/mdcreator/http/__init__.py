"""The FastAPI app every function builds on: middleware, the one error map, shared deps."""
