"""The items store on one DynamoDB table (partition key ``id``, a string): the AWS Lambda side."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from items_api import Item, Page


class DynamoItemStore:
    """Items in a DynamoDB table (a boto3 ``Table`` resource); listing is a paged scan."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def page(self, limit: int, after: str | None) -> Page:
        scan: dict[str, Any] = {"Limit": limit}
        if after is not None:
            scan["ExclusiveStartKey"] = {"id": after}
        found = self.table.scan(**scan)
        last = found.get("LastEvaluatedKey")
        return Page(found.get("Items", []), str(last["id"]) if last else None)

    def create(self, item: Item) -> None:
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")

    def get(self, item_id: str) -> Item | None:
        found: Item | None = self.table.get_item(Key={"id": item_id}).get("Item")
        return found

    def delete(self, item_id: str) -> bool:
        try:
            self.table.delete_item(Key={"id": item_id}, ConditionExpression="attribute_exists(id)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
