"""The managers' task templates pages under /wbs/templates/: list, create, edit."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from core.http import HtmxHttpRequest, render_page
from core.roles import manager_required
from wbs.forms_turnovers import TaskTemplateForm
from wbs.models import TaskTemplate
from wbs.queries.templates import templates_for_list
from wbs.services.templates import template_create as create_template
from wbs.services.templates import template_update


@require_GET
@manager_required
def template_list(request: HtmxHttpRequest) -> HttpResponse:
    return render_page(request, "wbs/templates.html", {"templates": templates_for_list()})


def _form_fields(form: TaskTemplateForm) -> tuple[dict, list]:
    fields = {name: value for name, value in form.cleaned_data.items() if name not in ("properties", "checklist_text")}
    fields["checklist"] = form.cleaned_data["checklist_text"]
    return fields, list(form.cleaned_data["properties"])


@manager_required
def template_create(request: HtmxHttpRequest) -> HttpResponse:
    form = TaskTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields, properties = _form_fields(form)
        template = create_template(fields=fields, properties=properties, user=request.user)
        notice = f"Template “{template.title_pattern}” saved. Upcoming bookings get its tasks in a moment."
        messages.success(request, notice)
        return redirect("wbs:templates")
    status = 400 if request.method == "POST" else 200
    return render_page(request, "wbs/templates_form.html", {"form": form, "template": None}, status=status)


@manager_required
def template_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(TaskTemplate, pk=pk)
    form = TaskTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        fields, properties = _form_fields(form)
        changes = template_update(template=template, fields=fields, properties=properties, user=request.user)
        messages.success(request, f"Template “{template.title_pattern}” saved." if changes else "Nothing changed.")
        return redirect("wbs:templates")
    status = 400 if request.method == "POST" else 200
    return render_page(request, "wbs/templates_form.html", {"form": form, "template": template}, status=status)
