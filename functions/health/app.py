"""GET /healthz - whether Postgres and Redis answer."""

from fastapi.responses import JSONResponse
from mangum import Mangum

from mdcreator.http.app import create_app
from mdcreator.http.schemas import HealthResponse
from mdcreator.infra.health import check_dependencies

app = create_app("health")


@app.get(
    "/healthz",
    operation_id="getHealth",
    tags=["meta"],
    summary="Dependency health",
    response_model=HealthResponse,
    responses={503: {"model": HealthResponse, "description": "A dependency is down"}},
)
async def health() -> JSONResponse:
    report = check_dependencies()
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "healthy" else 503)


handler = Mangum(app, lifespan="off")
