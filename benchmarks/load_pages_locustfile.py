"""Locust users for benchmarks/load_pages.py: each signs in once, then asks for one page again and again.

Run by load_pages.py, never on its own: it names the page (LOAD_PAGE) and who reads it (LOAD_USERNAME,
LOAD_PASSWORD) through the environment, and LOAD_WAIT seconds of thinking between two requests (0: none).
Only 127.0.0.1 is ever contacted.
"""

import os

from locust import HttpUser, constant, task

PAGE = os.environ["LOAD_PAGE"]


class PageReader(HttpUser):
    wait_time = constant(float(os.environ.get("LOAD_WAIT", "0")))

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="sign-in")
        self.client.post(
            "/accounts/login/",
            {
                "username": os.environ["LOAD_USERNAME"],
                "password": os.environ["LOAD_PASSWORD"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign-in",
        )

    @task
    def read_page(self) -> None:
        with self.client.get(PAGE, name=PAGE, catch_response=True, allow_redirects=False) as answer:
            # A redirect here is a lost sign-in (to the login page): count it as the error it is.
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
