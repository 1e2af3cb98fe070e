"""Reading one cell: dates in each platform's style, money with its currency, guest counts, text."""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from core.spreadsheets import unescape_formula


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?: .*)?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[ -]([a-z]+)\.?[ -,]*(\d{4})$")  # 14 Mar 2026, 14-Mar-2026
_MONTH_NAME_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2}),? (\d{4})$")  # Mar 14, 2026
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? ")
PARSE_CACHE_SIZE = 4096
# Excel serial numbers for 1990..2100: a plain number outside it is not a date.
EXCEL_SERIAL_RANGE = (32874, 73051)
# Day 0 of Excel's serial dates (the 1900 date system; serials past 60 step over its phantom 29 February 1900).
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value, slash_order: str = "dmy") -> datetime.date | None:
    """A date from an Excel cell or text: real dates, Excel serials, ISO, 03/14/2026 (mdy) or 14/03/2026 (dmy),
    14 Mar 2026, Mar 14, 2026. Blank -> None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError("is a number, not a date")
    text = str(value).strip().casefold()
    if not text:
        return None
    return _parse_date_text(text, slash_order)


# A file repeats the same few hundred dates over thousands of rows: each text is read once. Errors are not
# cached (lru_cache keeps only returned values), and date objects are immutable, so rows may share them.
@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_date_text(text: str, slash_order: str) -> datetime.date | None:
    text = _WEEKDAY.sub("", text)
    try:
        if match := _ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
        elif match := _SLASHED.match(text):
            first, second, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
            month, day = (first, second) if slash_order == "mdy" else (second, first)
        elif match := _DAY_MONTH_NAME.match(text):
            day, month, year = int(match[1]), _month(match[2]), int(match[3])
        elif match := _MONTH_NAME_DAY.match(text):
            month, day, year = _month(match[1]), int(match[2]), int(match[3])
        elif text.replace(".", "", 1).isdigit():
            return parse_date(float(text), slash_order)
        else:
            raise CellError(f"is not a date ({_date_hint(slash_order)})")
        return datetime.date(year, month, day)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, CellError):
            raise
        raise CellError(f"is not a real date ({_date_hint(slash_order)})") from exc


def _month(name: str) -> int:
    if name not in MONTHS:
        raise CellError(f"has an unknown month name {name!r}")
    return MONTHS[name]


def _date_hint(slash_order: str) -> str:
    example = "03/14/2026" if slash_order == "mdy" else "14/03/2026"
    return f"write dates like 2026-03-14 or {example}"


CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "r$": "BRL", "us$": "USD", "a$": "AUD", "c$": "CAD"}
SYMBOLS_LONGEST_FIRST = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")
_AMOUNT = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_money(value) -> tuple[Decimal | None, str]:
    """`$1,020.00` -> (1020.00, "USD"); `1.020,00 €` -> (1020.00, "EUR"); `EUR 1020`; plain numbers. Blank -> None."""
    if value is None:
        return None, ""
    if isinstance(value, bool):
        raise CellError("is not an amount")
    if isinstance(value, (int, float, Decimal)):
        return _quantize(Decimal(str(value))), ""
    text = str(value).strip()
    if not text:
        return None, ""
    return _parse_money_text(text)


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_money_text(text: str) -> tuple[Decimal, str]:
    """Prices repeat across a file too; Decimal is immutable, so rows may share one."""
    currency = ""
    lowered = text.casefold()
    for symbol in SYMBOLS_LONGEST_FIRST:
        if symbol in lowered:
            currency = CURRENCY_SYMBOLS[symbol]
            index = lowered.index(symbol)
            text = text[:index] + text[index + len(symbol) :]
            break
    codes = _CURRENCY_CODE.findall(text)
    if codes:
        if len(codes) > 1 or (currency and codes[0].upper() != currency):
            raise CellError("is not an amount (write it like 1020.00 EUR)")
        currency = codes[0].upper()
        text = _CURRENCY_CODE.sub("", text)
    negative = text.strip().startswith("(") and text.strip().endswith(")")
    number = text.replace("(", "").replace(")", "").replace(" ", "").replace("\u00a0", "").replace("'", "")
    number = _normalize_separators(number)
    if not _AMOUNT.match(number):
        raise CellError("is not an amount (write it like 1020.00, $1,020.00 or 1.020,00 €)")
    amount = _quantize(Decimal(number))
    return (-amount if negative else amount), currency


def _normalize_separators(number: str) -> str:
    """The last of `,` and `.` is the decimal mark when both appear; commas before groups of 3 digits group
    thousands (`1,020`); a lone comma otherwise is a decimal comma (`1020,5`)."""
    if "," in number and "." in number:
        if number.rfind(",") > number.rfind("."):
            return number.replace(".", "").replace(",", ".")
        return number.replace(",", "")
    for mark in (",", "."):
        groups = number.split(mark)
        if len(groups) > 2 or (mark == "," and len(groups) == 2):
            if all(len(group) == 3 for group in groups[1:]):
                return number.replace(mark, "")
            if len(groups) == 2:
                return number.replace(mark, ".")
    return number


def _quantize(amount: Decimal) -> Decimal:
    try:
        amount = amount.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise CellError("is too large an amount") from exc
    if abs(amount) >= Decimal("10000000000"):
        raise CellError("is too large an amount")
    return amount


MAX_GUESTS = 99


def parse_count(value, default: int = 0) -> int:
    """A guest count: whole, 0..99. Blank -> `default`."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise CellError("is not a number of guests")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("is not a whole number")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return default
        if text.endswith(".0"):
            text = text[:-2]
        if not text.lstrip("-").isdigit():
            raise CellError("is not a whole number")
        value = int(text)
    if not isinstance(value, int):
        raise CellError("is not a whole number")
    if not 0 <= value <= MAX_GUESTS:
        raise CellError(f"must be between 0 and {MAX_GUESTS}")
    return value


def parse_text(value, max_length: int) -> str:
    """Text as written, trimmed; numbers as Excel shows them (a code 12345 stays "12345", not "12345.0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        value = value.isoformat()
    value = unescape_formula(str(value))
    text = " ".join(value.split())
    if text == value:
        # Keep the cell's own string: the parsed row then shares it with the raw row (memory of big files).
        text = value
    if len(text) > max_length:
        raise CellError(f"is {len(text)} characters long; at most {max_length} fit")
    return text


def parse_long_text(value, max_length: int) -> str:
    """Notes keep their line breaks."""
    if value is None:
        return ""
    text = unescape_formula(str(value).strip())
    if len(text) > max_length:
        raise CellError(f"is {len(text)} characters long; at most {max_length} fit")
    return text
