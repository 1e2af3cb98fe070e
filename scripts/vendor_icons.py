"""Builds static/vendor/lucide/sprite.svg from an unpacked lucide-static npm package: only the icons the app uses.

Usage: npm pack lucide-static@VERSION && tar xzf lucide-static-VERSION.tgz
       python scripts/vendor_icons.py package/   (copies the licence too)
The whole package's sprite holds every icon (about 1,700); the app needs about sixty, and every page pays for it.
The manager's pages use them for navigation, buttons and statuses (docs/development.md, "Front end").
"""

import re
import shutil
import sys
from pathlib import Path

ICONS = (
    "archive",
    "arrow-down",
    "arrow-left",
    "arrow-up",
    "arrow-up-down",
    "ban",
    "building-2",
    "calendar",
    "calendar-days",
    "calendar-range",
    "camera",
    "chart-gantt",
    "check",
    "chevron-left",
    "chevron-right",
    "circle",
    "circle-alert",
    "circle-check",
    "circle-dot",
    "circle-user",
    "circle-x",
    "clipboard-list",
    "clock",
    "cloud-off",
    "copy",
    "download",
    "external-link",
    "file-spreadsheet",
    "file-up",
    "git-compare",
    "history",
    "image-up",
    "info",
    "key-round",
    "languages",
    "list-checks",
    "list-tree",
    "loader-circle",
    "log-out",
    "map-pin",
    "pencil",
    "play",
    "plus",
    "printer",
    "refresh-cw",
    "repeat-2",
    "rotate-ccw",
    "search",
    "server-crash",
    "square",
    "square-check",
    "square-kanban",
    "sun",
    "tag",
    "trash-2",
    "triangle-alert",
    "upload",
    "users-round",
    "x",
)
STROKE = ' fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
TARGET = Path(__file__).resolve().parent.parent / "static" / "vendor" / "lucide"


def main(package: Path) -> None:
    version = re.search(r'"version":\s*"([^"]+)"', (package / "package.json").read_text())[1]
    symbols = []
    for name in ICONS:
        source = (package / "icons" / f"{name}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", source, re.S)[1]
        shapes = " ".join(line.strip() for line in body.splitlines() if line.strip())
        # The drawing attributes sit on each symbol: a <use> copy inherits from the symbol, not the sprite's root.
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24"{STROKE}>{shapes}</symbol>')
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "sprite.svg").write_text(
        f"<!-- lucide-static {version}, ISC licence (LICENSE); built by scripts/vendor_icons.py -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n"
    )
    shutil.copy(package / "LICENSE", TARGET / "LICENSE")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
