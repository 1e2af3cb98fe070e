"""Task templates (/wbs/templates/), turnovers, the cleaners' field app (/my/) and calendar feeds."""

from django.urls import path

from wbs.views import feeds, field, offline, templates_admin, turnovers

urlpatterns = [
    path("wbs/templates/", templates_admin.template_list, name="templates"),
    path("wbs/templates/new/", templates_admin.template_create, name="template_create"),
    path("wbs/templates/<int:pk>/", templates_admin.template_edit, name="template_edit"),
    path("wbs/turnovers/", turnovers.turnover_list, name="turnovers"),
    path("wbs/turnovers/tasks/<int:pk>/assign/", turnovers.turnover_assign, name="turnover_assign"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("my/", field.my_tasks, name="my_tasks"),
    path("my/day-sheet/", field.my_day_sheet, name="my_day_sheet"),
    path("my/calendar/", feeds.my_calendar, name="my_calendar"),
    path("my/tasks/<int:pk>/", field.my_task, name="my_task"),
    path("my/tasks/<int:pk>/start/", field.my_task_start, name="my_task_start"),
    path("my/tasks/<int:pk>/done/", field.my_task_done, name="my_task_done"),
    path("my/tasks/<int:pk>/checklist/<int:item_pk>/", field.my_checklist_toggle, name="my_checklist_toggle"),
    path("my/tasks/<int:pk>/photos/", field.my_photo_upload, name="my_photo_upload"),
    path("my/tasks/<int:pk>/problem/", field.my_problem, name="my_problem"),
    path("photos/<int:pk>/", field.photo, name="photo"),
    path("photos/<int:pk>/thumbnail/", field.photo_thumbnail, name="photo_thumbnail"),
    path("feeds/tasks/<str:token>.ics", feeds.cleaner_feed, name="cleaner_feed"),
    path("feeds/properties/<str:token>.ics", feeds.property_feed, name="property_feed"),
]
