"""The language page (/account/language/): a person picks their own; a manager may pick a cleaner's."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from core.forms import LanguageForm
from core.http import HtmxHttpRequest, render_page
from core.preferences import user_language, user_language_set
from core.roles import is_manager


@login_required
def language(request: HtmxHttpRequest) -> HttpResponse:
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    manager = is_manager(request.user)
    initial = {"language": user_language(request.user), "person": request.user.pk}
    form = LanguageForm(request.POST or None, people=people if manager else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data.get("person") or request.user
        assert not isinstance(person, AnonymousUser)  # login_required, or a person from the form
        chosen = form.cleaned_data["language"]
        user_language_set(user=person, language=chosen)
        if person == request.user:
            # This answer already speaks the new language (the browser's when none was chosen).
            translation.activate(chosen or translation.get_language_from_request(request))
            messages.success(request, _("Language saved."))
        else:
            name = person.get_full_name() or person.get_username()
            messages.success(request, _("Language saved for %(name)s.") % {"name": name})
        return redirect("core:language")
    status = 400 if request.method == "POST" else 200
    return render_page(request, "core/language.html", {"form": form, "manager": manager}, status=status)
