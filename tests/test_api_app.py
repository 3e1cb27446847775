"""create_app wiring: optional routers, error bodies, the query page assets."""

from __future__ import annotations

import importlib.util

import httpx
import pytest

from kg.api.app import OPTIONAL_ROUTERS


@pytest.mark.parametrize("name", OPTIONAL_ROUTERS)
def test_optional_routers_are_included_when_present(api_server, name):
    if importlib.util.find_spec(f"kg.api.{name}") is None:
        pytest.skip(f"kg.api.{name} is not on this branch")
    module = importlib.import_module(f"kg.api.{name}")
    own_routes = [route for route in module.router.routes if getattr(route, "name", None)]
    assert own_routes
    for route in own_routes:
        # url_path_for raises NoMatchFound unless the app routes to this endpoint
        path = api_server.app.url_path_for(route.name, **{param: "x" for param in route.param_convertors})
        assert path.startswith("/")


def test_query_page_assets_are_served_locally(api_server):
    with httpx.Client(base_url=api_server.url) as client:
        page = client.get("/query")
        assert page.status_code == 200
        assert "https://" not in page.text.split("<body")[0], "no external assets in the head"
        for asset in ("/static/query.js", "/static/query.css"):
            assert asset in page.text
            assert client.get(asset).status_code == 200
        home = client.get("/", follow_redirects=False)
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        for entry in ("/query", "/queries", "/gaps", "/figures", "/ontology", "/.well-known/void", "/export"):
            assert f'href="{entry}"' in home.text, entry


def test_unknown_routes_are_plain_404(api_server):
    response = httpx.get(api_server.url + "/no/such/<i>route</i>")
    assert response.status_code == 404
    assert "<i>" not in response.text
