"""Locust users for benchmarks/load_faults.py: managers browsing, cleaners working their turnover tasks.

Run by load_faults.py, never on its own: it passes, through the environment, the file of task ids each cleaner
works through (LOAD_TASKS_FILE) and the file where each write is recorded with its answer (LOAD_ACTIONS_FILE).
The script compares those records with the database afterwards: a write answered 2xx must be there exactly once.

Every request goes through the load balancer on 127.0.0.1; nothing else is ever contacted.
"""

import collections
import io
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

TASK_PAGE = re.compile(r'action="/my/tasks/(\d+)/start/"')
TICK_FORM = re.compile(r'action="/my/tasks/\d+/checklist/(\d+)/"[^>]*>\s*<input[^>]*name="csrfmiddlewaretoken"[^>]*>'
                       r'<input type="hidden" name="done" value="([01])"')  # fmt: skip
PHOTO_ITEM = re.compile(r'name="checklist_item" value="(\d+)"')
MY_TASK_LINK = re.compile(r'href="/my/tasks/(\d+)/"')
# Answers after which the write may or may not have happened (the server, the balancer or the database broke).
UNCERTAIN = {0, 500, 502, 503, 504}

_actions = open(os.environ["LOAD_ACTIONS_FILE"], "a", buffering=1)  # noqa: SIM115 - open for the run
_requests = open(os.environ["LOAD_REQUESTS_FILE"], "a", buffering=1 << 16)  # noqa: SIM115
with open(os.environ["LOAD_TASKS_FILE"]) as handle:
    # Each cleaner's open tasks, shared by the locust users signed in as that cleaner: one takes a task at a time.
    _pools = {name: collections.deque(ids) for name, ids in json.load(handle).items()}


def _tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (random.randrange(256), 120, 90)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


PHOTO = _tiny_jpeg()


@events.request.add_listener
def _record_request(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    _requests.write(f"{time.time():.3f}\t{request_type} {name}\t{status}\t{response_time:.1f}\n")


@events.quitting.add_listener
def _flush(environment, **kwargs):
    _requests.flush()
    _actions.flush()


class SignedIn(HttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="/accounts/login/")
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": "demo", "csrfmiddlewaretoken": self.csrf()},
            name="/accounts/login/ (POST)",
        )

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, url: str, name: str, data: dict, files: dict | None = None):
        # The HTMX path, as the pages send it: the token in a header, a fragment back instead of a redirect.
        headers = {"X-CSRFToken": self.csrf(), "HX-Request": "true"}
        with self.client.post(url, data=data, files=files, headers=headers, name=name, catch_response=True) as answer:
            if answer.status_code >= 400 or answer.status_code == 0:
                answer.failure(f"HTTP {answer.status_code}")
            return answer


class Manager(SignedIn):
    """A manager looking at the booking table (pages, filters), the board and the Gantt."""

    weight = 1
    wait_time = between(1, 3)
    username = "manager"

    @task(3)
    def booking_table(self) -> None:
        self.client.get("/bookings/", name="/bookings/")
        query = random.choice(["?page=2", "?status=confirmed", "?q=a", "?sort=-check_in"])
        self.client.get(f"/bookings/{query}", headers={"HX-Request": "true"}, name="/bookings/?filter (HTMX)")

    @task(2)
    def board(self) -> None:
        self.client.get("/board/", name="/board/")

    @task(2)
    def gantt(self) -> None:
        self.client.get("/gantt/", name="/gantt/")

    @task(1)
    def today(self) -> None:
        self.client.get("/today/", name="/today/")


class Cleaner(SignedIn):
    """A cleaner on a phone: /my/, then one task at a time: start, tick every item, photos, done."""

    weight = 2
    wait_time = between(0.5, 2)
    abstract = True

    def record(self, action: str, status: int, task_id: int, item_id: int | None = None) -> bool:
        """Writes down what the server answered to one write; True when it succeeded."""
        outcome = "ok" if 200 <= status < 300 else "uncertain" if status in UNCERTAIN else "refused"
        line = {"t": time.time(), "user": self.username, "action": action, "task": task_id, "item": item_id}
        _actions.write(json.dumps({**line, "status": status, "outcome": outcome}) + "\n")
        return outcome == "ok"

    @task(1)
    def my_tasks(self) -> None:
        page = self.client.get("/my/", name="/my/")
        links = MY_TASK_LINK.findall(page.text or "")
        if links:
            self.client.get(f"/my/tasks/{random.choice(links)}/", name="/my/tasks/[id]/")

    @task(4)
    def work_a_task(self) -> None:
        pool = _pools.get(self.username)
        if not pool:
            self.my_tasks()
            return
        task_id = pool.popleft()
        if not self.work(task_id):
            pool.append(task_id)  # tried again later: every step is safe to repeat

    def work(self, task_id: int) -> bool:
        base = f"/my/tasks/{task_id}"
        page = self.client.get(f"{base}/", name="/my/tasks/[id]/")
        if page.status_code != 200:
            return False
        html = page.text
        if TASK_PAGE.search(html):
            started = self.post(f"{base}/start/", "/my/tasks/[id]/start/", {})
            if not self.record("start", started.status_code, task_id):
                return False
            html = started.text
        for item_id, value in TICK_FORM.findall(html):
            if value != "1":
                continue  # ticked already (an earlier try of this task)
            time.sleep(random.uniform(0.1, 0.5))
            ticked = self.post(f"{base}/checklist/{item_id}/", "/my/tasks/[id]/checklist/[id]/", {"done": "1"})
            if not self.record("tick", ticked.status_code, task_id, int(item_id)):
                return False
        # Each demo checklist has one item that needs a photo; "Photo needed" is gone once it has one (an earlier try).
        for item_id in PHOTO_ITEM.findall(html) if "Photo needed" in html else []:
            files = {"photo": ("photo.jpg", PHOTO, "image/jpeg")}
            uploaded = self.post(f"{base}/photos/", "/my/tasks/[id]/photos/", {"checklist_item": item_id}, files)
            if not self.record("photo", uploaded.status_code, task_id, int(item_id)):
                return False
        done = self.post(f"{base}/done/", "/my/tasks/[id]/done/", {})
        return self.record("done", done.status_code, task_id)


class Cleaner1(Cleaner):
    username = "cleaner1"


class Cleaner2(Cleaner):
    username = "cleaner2"
