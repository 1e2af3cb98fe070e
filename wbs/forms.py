"""Forms of the project and task pages: they validate input and hand domain values to wbs.services."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator

from bookings.models import Property
from core.roles import ROLES
from core.widgets import DateInput
from wbs.gantt.layout import EARLIEST_DAY, LATEST_DAY
from wbs.models import DependencyType, Project, Tag, Task, TaskStatus, WbsItem
from wbs.queries.projects import CODE_PATTERN, PROJECT_SEPARATOR, split_project
from wbs.services.dependencies import MAX_LAG_DAYS

DATE_INPUT = DateInput()


def assignable_users():
    """People who can take a task: active users with a role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "property", "rollup_method"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "rollup_method": "How an item's progress is computed from the work below it; shown on every row.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = Property.objects.order_by("name")
        self.fields["property"].required = False


class RollupMethodForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["rollup_method"]


class WbsItemCodeField(forms.CharField):
    """An item of one project, typed by its code ("1.2", or "1.2 Tiling" as the picker fills it in).

    The tree page offers items through a search-as-you-type list, not a <select> of every item: a project can
    hold thousands. Blank means the top level where the field is optional.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(*args, **kwargs)
        self.project: Project | None = None

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        code = self.code_of(text)
        item = WbsItem.objects.filter(project=self.project, code=code).first()
        if item is None:
            raise forms.ValidationError(f"This project has no item {code}.")
        self.check_title(item, text)
        return item

    @staticmethod
    def check_title(item: WbsItem, text: str) -> None:
        """A code picked from the list comes with the item's title ("1.2 Tiling"). If the item under that code now
        has another title, the tree was renumbered (or the item renamed) since the list was shown: the code alone
        would save a different item than the one picked, so the choice is refused, naming what the code is now."""
        words = text.split()[1:]
        if words and " ".join(words).casefold() != " ".join(item.title.split()).casefold():
            raise forms.ValidationError(
                f"Item {item.code} is now “{item.title}”, not “{' '.join(words)}”: the tree changed since the list "
                "was shown. Pick the item again."
            )

    @staticmethod
    def code_of(text: str) -> str:
        """The code a typed value starts with ("1.2" from "1.2 Tiling")."""
        code = text.split()[0].rstrip(".") if text.split() else ""
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError("Type an item's code, like 1.2, or pick one from the list.")
        return code


class TaskWbsItemField(WbsItemCodeField):
    """The task form's item: of any live project, typed "Project › 1.2" (as the picker fills it in) or a bare
    code, which means an item of the task's own project (`project`) or, for a task in none, the one project
    holding that code.
    """

    def clean(self, value):
        text = forms.CharField.clean(self, value)
        if not text:
            return None
        project_name, rest = split_project(text)
        code = self.code_of(rest)
        if project_name is not None:
            projects = list(Project.all_objects.filter(name=project_name))
            live = [project for project in projects if not project.is_deleted]
            if not projects:
                raise forms.ValidationError(f"There is no project “{project_name}”.")
            if not live:
                raise forms.ValidationError(f"The project “{project_name}” was deleted: choose another item.")
            items = WbsItem.objects.filter(project__in=live, code=code)
        elif self.project is not None:
            items = WbsItem.objects.filter(project=self.project, code=code)
        else:
            items = WbsItem.objects.filter(project__deleted_at__isnull=True, code=code)
        found = list(items.select_related("project").order_by("project__name", "project_id")[:2])
        if not found:
            where = project_name or (self.project.name if self.project else "")
            missing = f"“{where}” has no item {code}." if where else f"No project has an item {code}."
            raise forms.ValidationError(missing)
        if len(found) > 1:
            names = ", ".join(f"“{item.project.name}”" for item in found)
            raise forms.ValidationError(
                f"Item {code} is in more than one project ({names}): pick it from the list, which names the project."
            )
        if found[0].project.is_deleted:
            raise forms.ValidationError(f"The project “{found[0].project.name}” was deleted: choose another item.")
        self.check_title(found[0], rest)
        return found[0]

    @staticmethod
    def label_of(item: WbsItem) -> str:
        return f"{item.project.name}{PROJECT_SEPARATOR}{item.code} {item.title}"


class ProjectItemsForm(forms.Form):
    """A form whose item fields (WbsItemCodeField) look items up in one project."""

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        for item_field in self.fields.values():
            if isinstance(item_field, WbsItemCodeField):
                item_field.project = project


class WbsItemAddForm(ProjectItemsForm):
    """Add an item as a child of an item, after an item (a sibling), or at the top level."""

    PLACES = [("child", "Inside"), ("after", "After")]

    title = forms.CharField(max_length=200, error_messages={"required": "Give the item a title."})
    place = forms.ChoiceField(choices=PLACES, initial="child", required=False)
    anchor = WbsItemCodeField(required=False)

    def placement(self) -> dict:
        """Keyword arguments for wbs_item_create: parent=… or after=…."""
        anchor = self.cleaned_data.get("anchor")
        if anchor is None:
            return {"parent": None}
        return {"after": anchor} if self.cleaned_data.get("place") == "after" else {"parent": anchor}


class WbsItemMoveForm(ProjectItemsForm):
    item = WbsItemCodeField(error_messages={"required": "Choose the item to move."})
    parent = WbsItemCodeField(required=False)


class WbsItemForm(forms.ModelForm):
    class Meta:
        model = WbsItem
        fields = ["title", "status", "planned_start", "planned_end", "weight"]
        widgets = {"planned_start": DATE_INPUT, "planned_end": DATE_INPUT}
        help_texts = {"weight": "Used when the project rolls progress up by weight."}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", "The planned end cannot be before the planned start.")
        return cleaned


class TaskForm(forms.ModelForm):
    """Everything about a task except its status (changed on the task page, with its own rules)."""

    wbs_item = TaskWbsItemField(
        required=False,
        label="WBS item",
        help_text="Type a code (1.2) or part of a title and pick the item; leave it empty for no project.",
    )
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Nobody")

    class Meta:
        model = Task
        fields = [
            "title",
            "description",
            "wbs_item",
            "property",
            "type",
            "priority",
            "assignee",
            "tags",
            "start_date",
            "due_date",
            "estimate_hours",
            "progress",
            "is_milestone",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE_INPUT,
            "due_date": DATE_INPUT,
            "tags": forms.CheckboxSelectMultiple,
        }
        labels = {"estimate_hours": "Estimate (hours)", "progress": "Progress (%)", "is_milestone": "Milestone"}
        error_messages = {"title": {"required": "Give the task a title."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The item field is a search-as-you-type picker, not a <select> of every item of every project: it shows
        # the task's item as "Project › code title", and a bare code means an item of that project.
        self.current_item = self._current_item()
        if self.current_item is not None:
            item_field = self.fields["wbs_item"]
            assert isinstance(item_field, TaskWbsItemField)
            label = item_field.label_of(self.current_item)
            self.initial["wbs_item"] = label
            item_field.project = self.current_item.project
        self.fields["property"].queryset = Property.objects.order_by("name")
        self.fields["property"].empty_label = "No property"
        self.fields["assignee"].queryset = assignable_users()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["tags"].required = False

    def _current_item(self) -> WbsItem | None:
        """The task's item, or the one a link from a tree row pre-fills (`?wbs_item=<id>`, of a live project)."""
        if self.instance.wbs_item_id:
            return self.instance.wbs_item
        item_id = str(self.initial.get("wbs_item") or "")
        if not item_id.isdigit():
            return None
        items = WbsItem.objects.filter(project__deleted_at__isnull=True).select_related("project")
        return items.filter(pk=item_id).first()

    def clean_progress(self) -> int:
        progress = self.cleaned_data.get("progress") or 0
        if progress > 100:
            raise forms.ValidationError("Progress is a percentage: 0 to 100.")
        return progress

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date cannot be before the start date.")
        return cleaned

    def service_fields(self) -> dict:
        """Cleaned values as keyword arguments for task_create / task_update (tags go separately)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "tags"}


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)
    confirmed = forms.BooleanField(required=False)


class TaskAssigneeForm(forms.Form):
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()


class TaskTagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_tag = forms.CharField(max_length=50, required=False, label="New tag")
    new_tag_color = forms.CharField(
        max_length=7,
        required=False,
        initial="#0ea5e9",
        label="Colour",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Pick a colour like #0ea5e9.")],
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class DependencyForm(forms.Form):
    """The fields the task page and the Gantt post: predecessor, successor, type, lag in working days.

    `tasks` is what the two ends may be: a task outside it is a form error, as a missing one is.
    """

    predecessor = forms.ModelChoiceField(queryset=Task.objects.none(), label="Waits for")
    successor = forms.ModelChoiceField(queryset=Task.objects.none())
    type = forms.ChoiceField(choices=DependencyType.choices, initial=DependencyType.FS)
    lag_days = forms.IntegerField(
        initial=0,
        min_value=-MAX_LAG_DAYS,
        max_value=MAX_LAG_DAYS,
        label="Lag (working days)",
        required=False,
    )

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = tasks
        self.fields["successor"].queryset = tasks

    def clean_lag_days(self) -> int:
        return self.cleaned_data.get("lag_days") or 0

    def clean(self):
        cleaned = super().clean()
        predecessor, successor = cleaned.get("predecessor"), cleaned.get("successor")
        if predecessor and successor and predecessor.pk == successor.pk:
            self.add_error("predecessor", "A task cannot wait for itself.")
        return cleaned


class TaskDatesForm(forms.Form):
    """A task's new start and due dates, as the Gantt's date panel previews and applies them."""

    start_date = forms.DateField(widget=DateInput())
    due_date = forms.DateField(widget=DateInput())

    def _clean_day(self, name: str):
        day = self.cleaned_data[name]
        # Far outside any plan, and working-day arithmetic near date.min or date.max would overflow.
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise forms.ValidationError(f"Choose a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}.")
        return day

    def clean_start_date(self):
        return self._clean_day("start_date")

    def clean_due_date(self):
        return self._clean_day("due_date")

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be on or after the start date.")
        return cleaned


class ChecklistAddForm(forms.Form):
    text = forms.CharField(
        max_length=200, label="New checklist item", error_messages={"required": "Write what needs doing."}
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Comment",
        error_messages={"required": "A comment needs some text."},
    )


class TodayAssignForm(forms.Form):
    """Who takes a task and by when, as the Today page assigns it in place.

    A due date already in the past may stay (reassigning overdue work keeps its date), but a new one may not.
    """

    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Nobody")
    due_date = forms.DateField(required=False, widget=DATE_INPUT, error_messages={"invalid": "Enter a date."})

    def __init__(self, *args, today, current_due=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.today = today
        self.current_due = current_due

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        if day is not None and day != self.current_due and day < self.today:
            raise forms.ValidationError(f"Pick today ({self.today:%d %b}) or a later day.")
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise forms.ValidationError(f"Choose a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}.")
        return day
