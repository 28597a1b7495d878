"""Kefu's own middleware. Every class here works both ways (sync under WSGI and the test
client, async under uvicorn): one sync-only middleware would make Django run the whole
chain, the view included, in the process's single sync thread, so that the async views of
the telephony API (kefu/ivr/api.py) would again serve one request at a time per process.
"""

from __future__ import annotations

import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.middleware import clickjacking, common, csrf, security
from whitenoise.middleware import WhiteNoiseMiddleware

from kefu.core import context, generations


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


class ConfigSnapshotMiddleware(_SyncAndAsync):
    """One configuration generation per request (kefu.core.generations.pinned): the token
    is read once, when first needed, for the permissions and whatever the view records."""

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        with generations.pinned():
            return self.get_response(request)

    async def __acall__(self, request):
        with generations.pinned():
            return await self.get_response(request)


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


# --- Django's own middleware, without a thread hop per hook under ASGI ---------------------
#
# Under ASGI, Django's MiddlewareMixin runs every process_request and process_response in a
# thread (sync_to_async): seven of them made fourteen hand-offs between the event loop and a
# thread per request, about 5 ms of an 8 ms API call on a 2-core server. The hooks below do
# no I/O (they read headers and cookies and set attributes), so they run in the event loop;
# the ones that may touch the database (saving the session, storing messages) still go to
# the request's thread, and only when they have something to write. Anything that did query
# the database from the loop would fail loudly (SynchronousOnlyOperation), not block it.


class _InlineHooks:
    def response_needs_thread(self, request, response) -> bool:
        return False

    async def __acall__(self, request):
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            if self.response_needs_thread(request, response):
                response = await sync_to_async(self.process_response, thread_sensitive=True)(
                    request, response
                )
            else:
                response = self.process_response(request, response)
        return response


class SecurityMiddleware(_InlineHooks, security.SecurityMiddleware):
    pass


class SessionMiddleware(_InlineHooks, sessions_middleware.SessionMiddleware):
    def response_needs_thread(self, request, response) -> bool:
        session = getattr(request, "session", None)
        if session is None:
            return False
        # Saved (a database write) when modified, or on every request: only a session that
        # exists or was filled in this request is saved; an API call with a token has none.
        if not (session.modified or settings.SESSION_SAVE_EVERY_REQUEST):
            return False
        return not session.is_empty()


class CommonMiddleware(_InlineHooks, common.CommonMiddleware):
    pass


class CsrfViewMiddleware(_InlineHooks, csrf.CsrfViewMiddleware):
    pass


class AuthenticationMiddleware(_InlineHooks, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(_InlineHooks, messages_middleware.MessageMiddleware):
    def response_needs_thread(self, request, response) -> bool:
        storage = getattr(request, "_messages", None)
        # Storing messages may read the session: only when some were shown or added.
        return storage is not None and (storage.used or storage.added_new)


class XFrameOptionsMiddleware(_InlineHooks, clickjacking.XFrameOptionsMiddleware):
    pass
