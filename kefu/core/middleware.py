from __future__ import annotations

import uuid

from kefu.core import context


class RequestContextMiddleware:
    """Records the client address and a request id for audit events of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:32] or uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(ip=request.META.get("REMOTE_ADDR"), request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language in the header menu.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a bank's desktops
    often run English systems, and the staff still work in Chinese (SPEC: Chinese by default,
    English switchable). The choice is kept in Django's language cookie by ``set_language``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
