"""Each person's preferred language: read on every request (from the cache), set by a manager or the person."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver

from core import audit
from core.errors import InvalidInput
from core.models import AuditAction, UserPreference

# Cached per user so a page costs no extra query; "-" marks "no preference" (the browser decides).
_CACHE_KEY = "core:user-language:{}"
_NONE = "-"
CACHE_SECONDS = 24 * 60 * 60


def user_language(user) -> str:
    """The user's chosen language code, or "" when they have none (the browser's Accept-Language decides)."""
    if user is None or not user.is_authenticated:
        return ""
    cached = cache.get(_CACHE_KEY.format(user.pk))
    if cached is None:
        return remember_user_language(user.pk)
    return "" if cached == _NONE else cached


def language_for_user_id(user_id: int) -> str:
    """The language to write to this person in, outside any request (emails, calendar feeds): theirs, else the
    site's default."""
    cached = cache.get(_CACHE_KEY.format(user_id))
    language = remember_user_language(user_id) if cached is None else ("" if cached == _NONE else cached)
    return language or settings.LANGUAGE_CODE


def remember_user_language(user_id: int) -> str:
    """Read the saved language into the cache (after a change made outside user_language_set, e.g. the admin)."""
    language = UserPreference.objects.filter(user_id=user_id).values_list("language", flat=True).first() or ""
    cache.set(_CACHE_KEY.format(user_id), language or _NONE, CACHE_SECONDS)
    return language


@receiver(user_logged_in, dispatch_uid="core.preferences.refresh_language")
def _refresh_on_login(sender, user, **kwargs) -> None:
    # Signing in re-reads the preference: a cache that outlived a database restore cannot keep a stale one.
    remember_user_language(user.pk)


def user_language_set(*, user, language: str) -> UserPreference:
    """Save `user`'s language ("" for the browser's), with an audit entry; their next page uses it."""
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(f"“{language}” is not one of the app's languages.")
    with transaction.atomic():
        preference, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
        before = preference.language
        if before != language:
            preference.language = language
            preference.save(update_fields=["language"])
            audit.record(preference, AuditAction.UPDATE, {"language": [before, language]})
        transaction.on_commit(lambda: cache.set(_CACHE_KEY.format(user.pk), language or _NONE, CACHE_SECONDS))
    return preference
