"""GET/POST /verify/<token>: the page a representative answers on. Plain HTML, no script and
no asset from anywhere, every value escaped. The token in the URL is the capability (the POST
goes back to the same URL, so it carries it); a bad link changes nothing and gets a 4xx page."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from .config import Settings
from .db import SessionFactory
from .domain.verification import Answer, LinkProblem
from .services.verifications import LinkView, answer_link, open_link

MAX_FORM_BYTES = 1024

_PROBLEMS: dict[LinkProblem, tuple[int, str, str]] = {
    LinkProblem.INVALID: (404, "Link not valid", "This link is not valid. Check that you "
                          "opened the whole link from the email."),
    LinkProblem.EXPIRED: (410, "Link expired", "This link has expired. Nothing was recorded; "
                          "ask the company to request a new one."),
    LinkProblem.USED: (409, "Link already used", "This link was used already or replaced by a "
                       "newer one. Nothing more was recorded."),
}  # fmt: skip

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;max-width:36em;"
        "margin:1em auto;padding:0 1em;line-height:1.5}button{font-size:1.1em;"
        "padding:.6em 1.2em;margin:.3em .3em .3em 0}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _problem(problem: LinkProblem) -> HTMLResponse:
    status, title, text = _PROBLEMS[problem]
    return _page(title, f"<p>{escape(text)}</p>", status)


def _question(view: LinkView) -> HTMLResponse:
    rep, profile = view.representative, view.profile
    company = escape(profile.legal_name or profile.friendly_name)
    body = (
        f"<p><strong>{company}</strong> named "
        f"<strong>{escape(rep.first_name)} {escape(rep.last_name)}</strong> "
        f"({escape(rep.business_title)}) as its authorized representative.</p>"
        "<p>Do you confirm that you are this person and act for this business?</p>"
        '<form method="post">'
        '<button type="submit" name="answer" value="confirm">Yes, I confirm</button>'
        '<button type="submit" name="answer" value="decline">No, I decline</button>'
        "</form>"
    )
    return _page("Confirm your role", body)


def routes(sessions: SessionFactory, settings: Settings) -> list[BaseRoute]:
    async def show(request: Request) -> HTMLResponse:
        token = str(request.path_params["token"])
        async with sessions() as session:
            view = await open_link(session, settings.verification_secret(), token)
        return _problem(view) if isinstance(view, LinkProblem) else _question(view)

    async def answer(request: Request) -> HTMLResponse:
        token = str(request.path_params["token"])
        body = await request.body()
        values = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace")).get("answer", [])
        try:
            given = Answer(values[-1]) if values else None
        except ValueError:
            given = None
        if given is None:
            return _page("Choose an answer", "<p>Choose confirm or decline.</p>", 400)
        async with sessions() as session:
            view = await answer_link(session, settings.verification_secret(), token, given)
            if isinstance(view, LinkProblem):
                return _problem(view)
            await session.commit()
        said = "confirmed" if given is Answer.CONFIRM else "declined"
        company = escape(view.profile.legal_name or view.profile.friendly_name)
        return _page("Thank you", f"<p>You {said} that you represent {company}.</p>")

    return [
        Route("/verify/{token}", show, methods=["GET"]),
        Route("/verify/{token}", answer, methods=["POST"]),
    ]
