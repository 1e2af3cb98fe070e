"""WBS trees (/wbs/) and task pages."""

from django.urls import path

from wbs.views import projects, tasks

urlpatterns = [
    path("wbs/", projects.project_list, name="projects"),
    path("wbs/projects/new/", projects.project_create, name="project_create"),
    path("wbs/projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("wbs/projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("wbs/projects/<int:pk>/rollup/", projects.project_rollup, name="project_rollup"),
    path("wbs/projects/<int:pk>/items/add/", projects.item_add, name="item_add"),
    path("wbs/projects/<int:pk>/items/move/", projects.item_move, name="item_move"),
    path("wbs/projects/<int:pk>/items/reorder/", projects.item_reorder, name="item_reorder"),
    path("wbs/projects/<int:pk>/items/rows/", projects.item_rows, name="item_rows"),
    path("wbs/projects/<int:pk>/items/picker/", projects.item_picker, name="item_picker"),
    path("wbs/items/picker/", projects.item_picker, name="any_item_picker"),
    path("wbs/items/<int:pk>/", projects.item_edit, name="item_edit"),
    path("wbs/items/<int:pk>/tasks/", projects.item_task_rows, name="item_task_rows"),
    path("wbs/items/<int:pk>/delete/", projects.item_delete, name="item_delete"),
    path("wbs/tasks/new/", tasks.task_create, name="task_create"),
    path("wbs/tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("wbs/tasks/<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("wbs/tasks/<int:pk>/delete/", tasks.task_delete, name="task_delete"),
    path("wbs/tasks/<int:pk>/history/", tasks.task_history, name="task_history"),
    path("wbs/tasks/<int:pk>/status/", tasks.task_status, name="task_status"),
    path("wbs/tasks/<int:pk>/assignee/", tasks.task_assignee, name="task_assignee"),
    path("wbs/tasks/<int:pk>/tags/", tasks.task_tags, name="task_tags"),
    path("wbs/tasks/<int:pk>/checklist/", tasks.checklist_add, name="checklist_add"),
    path("wbs/tasks/<int:pk>/comments/", tasks.task_comment, name="task_comment"),
    path("wbs/checklist/<int:pk>/toggle/", tasks.checklist_toggle, name="checklist_toggle"),
    path("wbs/dependencies/add/", tasks.task_dependency_add, name="task_dependency_add"),
    path("wbs/dependencies/<int:pk>/remove/", tasks.task_dependency_remove, name="task_dependency_remove"),
]
