"""The WBS tree: codes and sort keys kept right on insert, move and reorder (rollups are in wbs.rollups)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.models import AuditAction
from wbs.models import Project, WbsItem

# Four digits per level: 9,999 siblings under one parent, and "0001.0002" sorts before "0002" because
# "." sorts before every digit. 255 characters of sort key allow 51 levels; codes (64 characters) run
# out first, so the depth is capped well below both.
SORT_KEY_DIGITS = 4
MAX_SIBLINGS = 10**SORT_KEY_DIGITS - 1
MAX_DEPTH = 10
ITEM_AUDIT_FIELDS = ["title", "parent", "code", "status", "planned_start", "planned_end", "weight"]
ITEM_EDITABLE_FIELDS = {"title", "status", "planned_start", "planned_end", "weight"}


# --- Writes -------------------------------------------------------------------------------------------


@acting_user
def wbs_item_create(
    *,
    project: Project,
    title: str,
    parent: WbsItem | None = None,
    after: WbsItem | None = None,
    user=None,
    **fields,
) -> WbsItem:
    """Add an item as the last child of `parent` (top level when None), or right after its sibling `after`."""
    unknown = set(fields) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"wbs_item_create() got unexpected fields {sorted(unknown)}")
    if after is not None:
        _check_same_project(project, after)
        parent = after.parent
    if parent is not None:
        _check_same_project(project, parent)
    with transaction.atomic():
        children = _lock_and_load(project)
        if parent is not None and _depth(parent, children) + 1 > MAX_DEPTH:
            raise InvalidInput(f"“{parent}” is already {MAX_DEPTH} levels deep; add the item higher up.")
        item = WbsItem(project=project, parent=parent, title=title.strip(), **fields)
        item.full_clean(exclude=["code", "sort_key", "position"])
        item.save()
        siblings = children[parent.pk if parent else None]
        index = _index_of(siblings, after) + 1 if after is not None else len(siblings)
        siblings.insert(index, item)
        _check_sibling_count(siblings)
        renumbered = _renumber(children)
        audit.record_created(item, ITEM_AUDIT_FIELDS)
        _record_renumbered(renumbered, exclude=item, because=f"“{item.title}” was added")
    return item


@acting_user
def wbs_item_move(*, item: WbsItem, parent: WbsItem | None, user=None) -> WbsItem:
    """Re-parent `item` (with its whole subtree) as the last child of `parent`; None moves it to the top level."""
    if parent is not None:
        _check_same_project(item.project, parent)
    with transaction.atomic():
        children = _lock_and_load(item.project)
        by_id = _by_id(children)
        item = by_id[item.pk]
        if parent is not None:
            parent = by_id[parent.pk]
            if parent.pk == item.pk or _is_ancestor(item, parent, by_id):
                raise InvalidInput(f"“{item}” cannot move under “{parent}”: that is inside “{item.title}” itself.")
            if _depth(parent, children) + _height(item, children) > MAX_DEPTH:
                raise InvalidInput(f"Moving “{item}” under “{parent}” would nest deeper than {MAX_DEPTH} levels.")
        new_parent_id = parent.pk if parent else None
        if item.parent_id == new_parent_id:
            return item
        old = audit.snapshot(item, ["parent", "code"])
        children[item.parent_id].remove(item)
        item.parent = parent
        children[new_parent_id].append(item)
        _check_sibling_count(children[new_parent_id])
        renumbered = _renumber(children, always=[item])
        audit.record(item, AuditAction.MOVE, audit.diff(old, audit.snapshot(item, ["parent", "code"])))
        _record_renumbered(renumbered, exclude=item, because=f"“{item.title}” moved")
    return item


@acting_user
def wbs_item_reorder(*, item: WbsItem, direction: str, user=None) -> WbsItem:
    """Swap `item` with its sibling above (`direction="up"`) or below (`"down"`)."""
    if direction not in ("up", "down"):
        raise InvalidInput(f"Move an item “up” or “down”, not {direction!r}.")
    with transaction.atomic():
        children = _lock_and_load(item.project)
        item = _by_id(children)[item.pk]
        siblings = children[item.parent_id]
        index = _index_of(siblings, item)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            where = "first" if direction == "up" else "last"
            raise InvalidInput(f"“{item}” is already the {where} item at its level.")
        old_code = item.code
        siblings[index], siblings[other] = siblings[other], siblings[index]
        renumbered = _renumber(children)
        audit.record(item, AuditAction.MOVE, {"code": [old_code, item.code]}, message=f"Moved {direction}")
        _record_renumbered(renumbered, exclude=item, because=f"“{item.title}” moved {direction}")
    return item


@acting_user
def wbs_item_update(*, item: WbsItem, user=None, **changes) -> dict:
    """Change an item's own fields (not its place in the tree). Returns the audit diff."""
    unknown = set(changes) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"wbs_item_update() got unexpected fields {sorted(unknown)}")
    before = audit.snapshot(item, ITEM_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(item, name, value)
    changed = audit.diff(before, audit.snapshot(item, ITEM_AUDIT_FIELDS))
    if not changed:
        return {}
    with transaction.atomic():
        item.full_clean()
        item.save()
        audit.record(item, AuditAction.UPDATE, changed)
    return changed


@acting_user
def wbs_item_delete(*, item: WbsItem, user) -> None:
    """Soft-delete an empty item; the siblings after it move up a number."""
    from core.softdelete import soft_delete

    if item.children.exists():
        raise InvalidInput(f"“{item}” still has sub-items: move or delete them first.")
    task_count = item.tasks.count()
    if task_count:
        raise InvalidInput(f"“{item}” still has {task_count} task(s): move or delete them first.")
    with transaction.atomic():
        children = _lock_and_load(item.project)
        soft_delete(item, user=user)
        children[item.parent_id] = [sibling for sibling in children[item.parent_id] if sibling.pk != item.pk]
        renumbered = _renumber(children)
        _record_renumbered(renumbered, exclude=item, because=f"“{item.title}” was deleted")


def wbs_renumber(*, project: Project) -> int:
    """Repair every code and sort key of a project (e.g. after a bulk load). Returns how many rows changed."""
    with transaction.atomic():
        return len(_renumber(_lock_and_load(project)))


# --- Tree helpers -------------------------------------------------------------------------------------


def _lock_and_load(project: Project) -> defaultdict:
    """Lock the project row (tree edits of one project queue up on PostgreSQL) and load its live items.

    Returns {parent id (None for the top level): [children in order]}. One query for the lock, one for
    the items, whatever the size of the tree.
    """
    Project.all_objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()
    children: defaultdict = defaultdict(list)
    for item in WbsItem.objects.filter(project=project).order_by("position", "id"):
        children[item.parent_id].append(item)
    return children


def _renumber(children: dict, always: Iterable[WbsItem] = ()) -> list[tuple[WbsItem, str]]:
    """Give every item its position, code and sort key from its place in `children`; save the changed ones.

    One bulk_update for the whole tree. Returns (item, old code) for each item whose code changed.
    """
    changed: dict[int, WbsItem] = {item.pk: item for item in always}
    renumbered: list[tuple[WbsItem, str]] = []
    stack: list[tuple[int | None, str, str]] = [(None, "", "")]
    while stack:
        parent_id, code_prefix, key_prefix = stack.pop()
        for position, item in enumerate(children.get(parent_id, ()), start=1):
            code = f"{code_prefix}{position}"
            sort_key = f"{key_prefix}{position:0{SORT_KEY_DIGITS}d}"
            if (item.position, item.code, item.sort_key) != (position, code, sort_key):
                if item.code != code:
                    renumbered.append((item, item.code))
                item.position, item.code, item.sort_key = position, code, sort_key
                changed[item.pk] = item
            stack.append((item.pk, code + ".", sort_key + "."))
    if changed:
        WbsItem.objects.bulk_update(list(changed.values()), ["position", "code", "sort_key", "parent"], batch_size=500)
    return renumbered


def _record_renumbered(renumbered: list[tuple[WbsItem, str]], *, exclude: WbsItem, because: str) -> None:
    entries = [
        audit.build_entry(item, AuditAction.MOVE, {"code": [old_code, item.code]}, message=f"Renumbered: {because}")
        for item, old_code in renumbered
        if item.pk != exclude.pk and old_code
    ]
    audit.record_many(entries)


def _by_id(children: dict) -> dict[int, WbsItem]:
    return {item.pk: item for siblings in children.values() for item in siblings}


def _index_of(siblings: list[WbsItem], item: WbsItem) -> int:
    for index, sibling in enumerate(siblings):
        if sibling.pk == item.pk:
            return index
    raise InvalidInput(f"“{item}” is no longer in this tree; reload the page.")


def _is_ancestor(ancestor: WbsItem, item: WbsItem, by_id: dict[int, WbsItem]) -> bool:
    current = item
    while current.parent_id is not None:
        if current.parent_id == ancestor.pk:
            return True
        current = by_id[current.parent_id]
    return False


def _depth(item: WbsItem, children: dict) -> int:
    """1 for a top-level item."""
    by_id = _by_id(children)
    depth, current = 1, by_id.get(item.pk, item)
    while current.parent_id is not None:
        depth += 1
        current = by_id[current.parent_id]
    return depth


def _height(item: WbsItem, children: dict) -> int:
    """1 for a leaf: how many levels the subtree under (and including) `item` spans."""
    below = [_height(child, children) for child in children.get(item.pk, ())]
    return 1 + max(below, default=0)


def _check_same_project(project: Project, item: WbsItem) -> None:
    if item.project_id != project.pk:
        raise InvalidInput(f"“{item}” belongs to another project.")


def _check_sibling_count(siblings: list[WbsItem]) -> None:
    if len(siblings) > MAX_SIBLINGS:
        raise InvalidInput(f"One level holds at most {MAX_SIBLINGS} items; group them under a new item.")
