"""The Gantt chart: layout (pure geometry), drawing (escaped SVG), queries, URL state; views: wbs/views/gantt.py."""
