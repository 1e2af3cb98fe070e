"""Realistic iCal bodies as Airbnb, Vrbo and Booking.com export them, and a loopback server to serve them.

Dates are relative to today so that stays are in the future whenever the tests run. Each builder takes
(uid, check-in offset in days, nights, extra) tuples and writes the platform's own layout: Airbnb's
PRODID and DESCRIPTION with the reservation link, Vrbo's "Reserved - Name", Booking.com's "CLOSED - Not available".
"""

import datetime
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _ics_date(offset: int) -> str:
    return day(offset).strftime("%Y%m%d")


def _calendar(prodid: str, events: list[str], extra_header: str = "") -> bytes:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "VERSION:2.0"]
    if extra_header:
        lines.append(extra_header)
    for event in events:
        lines.extend(event.strip("\n").split("\n"))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def airbnb_reserved(uid: str, start: int, nights: int, code: str, phone_last4: str = "4821") -> str:
    return f"""BEGIN:VEVENT
DTEND;VALUE=DATE:{_ics_date(start + nights)}
DTSTART;VALUE=DATE:{_ics_date(start)}
UID:{uid}@airbnb.com
DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/details/{code}\\nPhone Number (Last 4
  Digits): {phone_last4}
SUMMARY:Reserved
END:VEVENT"""


def airbnb_blocked(uid: str, start: int, nights: int) -> str:
    return f"""BEGIN:VEVENT
DTEND;VALUE=DATE:{_ics_date(start + nights)}
DTSTART;VALUE=DATE:{_ics_date(start)}
UID:{uid}@airbnb.com
SUMMARY:Airbnb (Not available)
END:VEVENT"""


def airbnb_calendar(*events: str) -> bytes:
    return _calendar("-//Airbnb Inc//Hosting Calendar 0.8.8//EN", list(events), "X-WR-CALNAME:Airbnb")


def vrbo_event(uid: str, start: int, nights: int, summary: str, *, duration: bool = False) -> str:
    end = f"DURATION:P{nights}D" if duration else f"DTEND;VALUE=DATE:{_ics_date(start + nights)}"
    return f"""BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260101T101500Z
DTSTART;VALUE=DATE:{_ics_date(start)}
{end}
SUMMARY:{summary}
END:VEVENT"""


def vrbo_calendar(*events: str) -> bytes:
    return _calendar("-//HomeAway.com, Inc.//EN", list(events))


def bookingcom_event(uid: str, start: int, nights: int) -> str:
    return f"""BEGIN:VEVENT
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:{_ics_date(start)}
DTEND;VALUE=DATE:{_ics_date(start + nights)}
UID:{uid}@booking.com
SUMMARY:CLOSED - Not available
END:VEVENT"""


def bookingcom_calendar(*events: str) -> bytes:
    return _calendar("-//admin.booking.com//NONSGML Booking Calendar//EN", list(events), "METHOD:PUBLISH")


LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>Log in or sign up - Airbnb</title></head>
<body><form action="/login" method="post"><input name="email"></form></body></html>
"""


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    # Announce more bytes than are sent, then close: a download cut off by the network.
    cut_short: bool = False


class FeedServer:
    """A loopback HTTP server: `serve(path, reply_or_list)`; a list is answered in order, its last reply repeated."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, list[Reply]] = {}
        self.hits: dict[str, int] = {}
        self.request_headers: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                    server.request_headers.append(dict(self.headers))
                    replies = server.routes.get(self.path) or [Reply(b"not found", 404)]
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    import time

                    time.sleep(reply.delay)
                self.send_response(reply.status)
                length = len(reply.body) + (500 if reply.cut_short else 0)
                headers = {"Content-Type": "text/calendar; charset=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length))
                if reply.cut_short:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if reply.cut_short:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "FeedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, replies) -> str:
        if isinstance(replies, bytes):
            replies = Reply(replies)
        with self.lock:
            self.routes[path] = list(replies) if isinstance(replies, list) else [replies]
        return self.url(path)
