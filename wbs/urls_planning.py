"""The Kanban board (/board/), the Gantt timeline (/gantt/) and the task export."""

from django.urls import path

from wbs.views import board, gantt

urlpatterns = [
    path("board/", board.board, name="board"),
    path("board/move/", board.board_move, name="board_move"),
    path("board/column/", board.board_column, name="board_column"),
    path("board/add/", board.board_add, name="board_add"),
    path("tasks/export/", board.task_export, name="task_export"),
    path("gantt/", gantt.gantt, name="gantt"),
    path("gantt/tasks/<int:pk>/dates/", gantt.gantt_reschedule_preview, name="gantt_reschedule_preview"),
    path("gantt/tasks/<int:pk>/dates/apply/", gantt.gantt_reschedule_apply, name="gantt_reschedule_apply"),
    path("gantt/dependencies/", gantt.gantt_dependency_add, name="gantt_dependency_add"),
]
