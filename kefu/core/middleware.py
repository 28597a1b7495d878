"""Kefu's own middleware. Every class here works both ways (sync under WSGI and the test
client, async under uvicorn): one sync-only middleware would make Django run the whole
chain, the view included, in the process's single sync thread, so that the async views of
the telephony API (kefu/ivr/api.py) would again serve one request at a time per process.
"""

from __future__ import annotations

import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware

from kefu.core import context


class _SyncAndAsync:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return self.around(request, self.get_response(self.before(request)))

    async def __acall__(self, request):
        return self.around(request, await self.get_response(self.before(request)))

    def before(self, request):
        return request

    def around(self, request, response):
        return response


class RequestContextMiddleware(_SyncAndAsync):
    """Records the client address and a request id for audit events of this request."""

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        request_id, token = self._enter(request)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response

    async def __acall__(self, request):
        request_id, token = self._enter(request)
        try:
            response = await self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _enter(request):
        request_id = request.headers.get("X-Request-ID", "")[:32] or uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(ip=request.META.get("REMOTE_ADDR"), request_id=request_id)
        )
        return request_id, token


class ChineseFirstLocaleMiddleware(_SyncAndAsync):
    """Simplified Chinese unless the user chose another language in the header menu.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a bank's desktops
    often run English systems, and the staff still work in Chinese (SPEC: Chinese by default,
    English switchable). The choice is kept in Django's language cookie by ``set_language``.
    """

    def before(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return request

    def around(self, request, response):
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise (static files from the app server) that also runs async: WhiteNoise 6 is
    sync-only. A request for anything else is passed on without leaving the event loop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, **kwargs):
        super().__init__(get_response, **kwargs)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request):
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)
