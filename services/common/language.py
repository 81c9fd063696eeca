"""Thai by default: the language comes from the visitor's explicit choice (the language cookie set
by the switch), never from the browser's Accept-Language, so a phone set to English still opens
the town's portal in Thai until its owner asks for English."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class ThaiFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.setdefault("Vary", "Cookie")
        return response
