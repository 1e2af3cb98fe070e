"""The Kanban board (/board/) and the Gantt timeline (/gantt/)."""

urlpatterns: list = []
