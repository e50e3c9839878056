"""The diary's REST API: cursor pagination of a list, and its query count whatever the number of records."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.builders import store, store_many
from tests.diary.rest_calls import ALL_TABLES, url, walk
from tests.query_counts import Queries, assert_same_query_count, captured_queries


@ALL_TABLES
def test_cursor_pagination_walks_every_record_exactly_once(auth_client, user, table):
    # Two batches of records that share a stamp, as sync pushes make, plus single records.
    expected = store_many(user, table, 9, prefix="a") + store_many(user, table, 9, prefix="b")
    expected += [store(user, table, client_id=f"single-{i}").client_id for i in range(4)]

    seen = walk(auth_client, f"{url(table)}?page_size=4")

    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_pagination_walks_more_than_a_thousand_records_stored_by_one_push(auth_client, user):
    # One push stamps every record with the same created_at; the cursor must still move on.
    expected = store_many(user, "stress_logs", 1200)

    seen = walk(auth_client, f"{url('stress_logs')}?page_size=100")

    assert len(seen) == len(expected)
    assert set(seen) == set(expected)


def test_a_record_added_while_paging_does_not_shift_the_pages(auth_client, user):
    expected = [store(user, "stress_logs", client_id=f"r{i}").client_id for i in range(6)]
    first = auth_client.get(url("stress_logs"), {"page_size": 3}).json()
    store(user, "stress_logs", client_id="newer")

    rest = walk(auth_client, first["next"])

    assert sorted([item["id"] for item in first["results"]] + rest) == sorted(expected)


@pytest.mark.parametrize("value", ["0", "501", "ten", "-1", "", " 5"])
def test_a_page_size_outside_1_to_500_is_a_400_naming_it(auth_client, value):
    # DRF quietly used the default page size instead.
    response = auth_client.get(url("episodes"), {"page_size": value})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": ["must be a whole number from 1 to 500"]}


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        # Well-formed cursors whose position is not a row id: the first reached the database
        # as pk < 'abc' and the second overflowed a bigint, both a 500.
        base64.b64encode(b"p=abc").decode(),
        base64.b64encode(b"p=99999999999999999999").decode(),
    ],
)
def test_a_cursor_that_no_page_handed_out_is_a_400_naming_it(auth_client, user, cursor):
    store(user, "episodes")

    response = auth_client.get(url("episodes"), {"cursor": cursor})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]


def _list_queries(client: Any, table: str) -> Queries:
    with captured_queries() as queries:
        response = client.get(url(table), {"page_size": 500})
    assert response.status_code == 200
    return queries


@pytest.mark.slow
@ALL_TABLES
def test_the_list_makes_as_many_queries_for_1000_records_as_for_10(auth_client, user, make_user, client_for, table):
    other = make_user()
    store_many(user, table, 10)
    store_many(other, table, 1000)
    few = _list_queries(auth_client, table)
    many = _list_queries(client_for(other), table)

    assert_same_query_count(few, many, f"{table}, 10 records against 1000")
    assert len(many) <= 4, f"{table}:\n{many}"
