"""GET / - service banner."""

from mangum import Mangum

from mdcreator.http.app import create_app

app = create_app("root")


@app.get("/", operation_id="getServiceBanner", tags=["meta"], summary="Service banner")
async def root() -> dict[str, str]:
    return {"message": "MD Creator API", "status": "running"}


handler = Mangum(app, lifespan="off")
