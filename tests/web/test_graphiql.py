"""GraphiQL works offline: the page and every asset it names are served by the gateway."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from trusthub.web.graphiql import graphiql_url

from .conftest import AppClient


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


async def test_the_page_and_every_asset_are_served_locally(app_client: AppClient) -> None:
    async with app_client(graphiql=True) as client:
        # when a browser opens GraphiQL
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        references = References()
        references.feed(page.text)
        # then it names only the gateway's own assets, and each one is there
        assert len(references.urls) == 6, references.urls
        for url in references.urls:
            absolute = urljoin("http://trusthub.test/graphql", url)
            assert urlsplit(absolute).netloc == "trusthub.test", url
            asset = await client.get(absolute)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url
            assert b"sourceMappingURL" not in asset.content[-200:], url
        script = (await client.get("/graphiql/static/trusthub-graphiql.js")).text
    # and the page takes the key from the URL fragment into both transports
    assert "window.location.hash" in script
    assert "connectionParams: headers" in script
    assert "headers: headers" in script


async def test_the_assets_are_not_served_without_graphiql(app_client: AppClient) -> None:
    async with app_client(graphiql=False) as client:
        response = await client.get("/graphiql/static/graphiql.min.js")
    assert response.status_code == 404


def test_dev_url_carries_the_key_in_the_fragment() -> None:
    url = graphiql_url("127.0.0.1", 8000, "th_a/b+c")
    assert url == "http://127.0.0.1:8000/graphql#key=th_a%2Fb%2Bc"
