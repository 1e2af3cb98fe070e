"""GET parameters nobody meant, for the views that take none or ignore what they do not know."""

GARBAGE_PARAMS = {
    "date": "9999-12-31",
    "start": "0001-01-01",
    "end": "abc",
    "per_page": "-1",
    "page": str(2**70),
    "size": "0",
    "status": "nonsense",
    "lane": "nowhere",
    "q": "nul\x00byte",
}
