"""Locust users for benchmarks/load_pages.py: each asks for one page again and again, already signed in.

Run by load_pages.py, never on its own: it names the page (LOAD_PAGE) and the session cookie of the person who
reads it (LOAD_SESSION) through the environment, and LOAD_WAIT seconds of thinking between two requests (0:
none). The session is made by the script, not by signing in here: 20 password hashes at once would take the
workers for the first seconds of the run and measure the sign-in instead of the page.
Only 127.0.0.1 is ever contacted.
"""

import os

from locust import HttpUser, constant, task

PAGE = os.environ["LOAD_PAGE"]
HEADERS = {"Cookie": f"sessionid={os.environ['LOAD_SESSION']}"}


class PageReader(HttpUser):
    wait_time = constant(float(os.environ.get("LOAD_WAIT", "0")))

    @task
    def read_page(self) -> None:
        with self.client.get(PAGE, name=PAGE, headers=HEADERS, catch_response=True, allow_redirects=False) as answer:
            # A redirect here is a lost sign-in (to the login page): count it as the error it is.
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
