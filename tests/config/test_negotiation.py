"""config.negotiation answers as DRF's own negotiation does, for the everyday Accept headers it
short-cuts and for every other one it hands on."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/*",
    "image/png",
    "",
]
RENDERER_LISTS = [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()], [BrowsableAPIRenderer(), JSONRenderer()]]


def _answer(negotiation: DefaultContentNegotiation, request: Request, renderers: list, suffix: str | None) -> object:
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a format no renderer has
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("renderers", RENDERER_LISTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize("suffix", [None, "json"])
def test_same_renderer_and_media_type_as_drf(accept, renderers, query, suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/episodes/{query}", **headers))
    assert _answer(ContentNegotiation(), request, renderers, suffix) == _answer(
        DefaultContentNegotiation(), request, renderers, suffix
    )


def test_api_answers_json_for_the_everyday_accepts(client):
    for accept in ("*/*", "application/json"):
        response = client.get("/api/v1/episodes/", HTTP_ACCEPT=accept)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
    assert client.get("/api/v1/episodes/", HTTP_ACCEPT="image/png").status_code == 406
