"""wbs.services.wbs_tree: codes and sort keys stay right on insert, move (with subtrees), reorder and delete."""

import pytest

from core.errors import InvalidInput
from core.models import AuditAction, AuditEntry
from wbs.models import Project, Task, WbsItem
from wbs.services import wbs_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return Project.objects.create(name="Renovate Beach House")


def add(project, title, **placement):
    return wbs_tree.wbs_item_create(project=project, title=title, **placement)


def codes(project) -> list[str]:
    """`code title` of every live item, in the order the tree page shows them (by sort key)."""
    return [f"{item.code} {item.title}" for item in WbsItem.objects.filter(project=project).in_tree_order()]


def test_it_numbers_top_level_items_and_children_on_insert(project):
    kitchen = add(project, "Kitchen")
    add(project, "Bathroom")
    add(project, "Plumbing", parent=kitchen)
    add(project, "Tiling", parent=kitchen)
    assert codes(project) == ["1 Kitchen", "1.1 Plumbing", "1.2 Tiling", "2 Bathroom"]


def test_it_inserts_after_a_sibling_and_renumbers_the_ones_below(project):
    kitchen = add(project, "Kitchen")
    add(project, "Bathroom")
    plumbing = add(project, "Plumbing", parent=kitchen)
    add(project, "Tiling", parent=kitchen)
    add(project, "Electrics", after=plumbing)
    add(project, "Hallway", after=kitchen)
    assert codes(project) == ["1 Kitchen", "1.1 Plumbing", "1.2 Electrics", "1.3 Tiling", "2 Hallway", "3 Bathroom"]


def test_sort_keys_keep_tree_order_past_nine_siblings(project):
    kitchen = add(project, "Kitchen")
    for number in range(1, 12):
        add(project, f"Step {number}", parent=kitchen)
    add(project, "Bathroom")
    ordered = codes(project)
    assert ordered[10:] == ["1.10 Step 10", "1.11 Step 11", "2 Bathroom"]
    assert WbsItem.objects.get(title="Step 10").sort_key == "0001.0010"


def test_it_moves_an_item_with_its_whole_subtree(project):
    kitchen = add(project, "Kitchen")
    bathroom = add(project, "Bathroom")
    plumbing = add(project, "Plumbing", parent=kitchen)
    add(project, "Pipes", parent=plumbing)
    add(project, "Drains", parent=plumbing)
    add(project, "Tiling", parent=kitchen)

    wbs_tree.wbs_item_move(item=plumbing, parent=bathroom)

    assert codes(project) == [
        "1 Kitchen",
        "1.1 Tiling",
        "2 Bathroom",
        "2.1 Plumbing",
        "2.1.1 Pipes",
        "2.1.2 Drains",
    ]


def test_it_moves_an_item_to_the_top_level(project):
    kitchen = add(project, "Kitchen")
    plumbing = add(project, "Plumbing", parent=kitchen)
    add(project, "Pipes", parent=plumbing)
    wbs_tree.wbs_item_move(item=plumbing, parent=None)
    assert codes(project) == ["1 Kitchen", "2 Plumbing", "2.1 Pipes"]


def test_it_refuses_to_move_an_item_under_its_own_descendant_and_writes_nothing(project):
    kitchen = add(project, "Kitchen")
    plumbing = add(project, "Plumbing", parent=kitchen)
    pipes = add(project, "Pipes", parent=plumbing)
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidInput, match="inside “Kitchen” itself"):
        wbs_tree.wbs_item_move(item=kitchen, parent=pipes)
    with pytest.raises(InvalidInput):
        wbs_tree.wbs_item_move(item=kitchen, parent=kitchen)
    assert codes(project) == ["1 Kitchen", "1.1 Plumbing", "1.1.1 Pipes"]
    assert AuditEntry.objects.count() == entries


def test_it_refuses_an_item_of_another_project(project):
    other = Project.objects.create(name="Winter maintenance")
    roof = add(other, "Roof")
    with pytest.raises(InvalidInput, match="another project"):
        add(project, "Kitchen", parent=roof)
    assert WbsItem.objects.filter(project=project).count() == 0


def test_it_reorders_up_and_down_carrying_children(project):
    kitchen = add(project, "Kitchen")
    add(project, "Plumbing", parent=kitchen)
    bathroom = add(project, "Bathroom")
    add(project, "Shower", parent=bathroom)

    wbs_tree.wbs_item_reorder(item=bathroom, direction="up")
    assert codes(project) == ["1 Bathroom", "1.1 Shower", "2 Kitchen", "2.1 Plumbing"]

    wbs_tree.wbs_item_reorder(item=WbsItem.objects.get(pk=bathroom.pk), direction="down")
    assert codes(project) == ["1 Kitchen", "1.1 Plumbing", "2 Bathroom", "2.1 Shower"]


def test_it_refuses_to_move_the_first_item_up(project):
    kitchen = add(project, "Kitchen")
    add(project, "Bathroom")
    with pytest.raises(InvalidInput, match="already the first"):
        wbs_tree.wbs_item_reorder(item=kitchen, direction="up")
    with pytest.raises(InvalidInput):
        wbs_tree.wbs_item_reorder(item=kitchen, direction="sideways")
    assert codes(project) == ["1 Kitchen", "2 Bathroom"]


def test_it_caps_the_depth(project):
    parent = None
    for level in range(wbs_tree.MAX_DEPTH):
        parent = add(project, f"Level {level + 1}", parent=parent)
    with pytest.raises(InvalidInput, match="levels deep"):
        add(project, "Too deep", parent=parent)


def test_it_deletes_an_empty_item_and_closes_the_gap(project, manager):
    kitchen = add(project, "Kitchen")
    hallway = add(project, "Hallway")
    add(project, "Bathroom")
    add(project, "Plumbing", parent=kitchen)
    Task.objects.create(title="Tile floor", wbs_item=kitchen)

    with pytest.raises(InvalidInput, match="sub-items"):
        wbs_tree.wbs_item_delete(item=kitchen, user=manager)
    wbs_tree.wbs_item_delete(item=hallway, user=manager)

    assert codes(project) == ["1 Kitchen", "1.1 Plumbing", "2 Bathroom"]
    assert WbsItem.all_objects.get(pk=hallway.pk).is_deleted


def test_it_refuses_to_delete_an_item_with_tasks(project, manager):
    kitchen = add(project, "Kitchen")
    Task.objects.create(title="Tile floor", wbs_item=kitchen)
    with pytest.raises(InvalidInput, match="1 task"):
        wbs_tree.wbs_item_delete(item=kitchen, user=manager)
    assert not WbsItem.all_objects.get(pk=kitchen.pk).is_deleted


def test_every_change_leaves_audit_entries(project):
    kitchen = add(project, "Kitchen")
    bathroom = add(project, "Bathroom")
    plumbing = add(project, "Plumbing", parent=kitchen)

    created = AuditEntry.objects.for_object(plumbing).get(action=AuditAction.CREATE)
    assert created.changes["code"] == [None, "1.1"]

    wbs_tree.wbs_item_move(item=plumbing, parent=bathroom)
    moved = AuditEntry.objects.for_object(plumbing).get(action=AuditAction.MOVE)
    assert moved.changes == {"parent": [kitchen.pk, bathroom.pk], "code": ["1.1", "2.1"]}

    wbs_tree.wbs_item_reorder(item=WbsItem.objects.get(pk=bathroom.pk), direction="up")
    renumbered = AuditEntry.objects.for_object(kitchen).filter(action=AuditAction.MOVE).get()
    assert renumbered.changes == {"code": ["1", "2"]}
    assert "Renumbered" in renumbered.message

    wbs_tree.wbs_item_update(item=WbsItem.objects.get(pk=kitchen.pk), title="Kitchen and pantry")
    updated = AuditEntry.objects.for_object(kitchen).get(action=AuditAction.UPDATE)
    assert updated.changes == {"title": ["Kitchen", "Kitchen and pantry"]}


@pytest.mark.parametrize("size", [5, 60])
def test_renumber_repairs_codes_in_one_bulk_update(project, size, django_assert_num_queries):
    for number in range(size):
        WbsItem.objects.create(project=project, title=f"Item {number}", position=size - number)
    # Savepoint, lock, load, one bulk update, release: the same at any size.
    with django_assert_num_queries(5):
        changed = wbs_tree.wbs_renumber(project=project)
    assert changed == size
    assert codes(project)[:2] == [f"1 Item {size - 1}", f"2 Item {size - 2}"]
