"""Issue 14 item 5, as a user met it: console items at 0.05 and 0.00001 never moved."""
from tests.support import scheduled


def test_low_priced_console_items_move_and_their_item_keeps_the_last_tick(cloud, lambdas):
    for name, price in (("PENNY", "0.05"), ("DUST", "0.00001")):
        cloud.ddb.put_item(TableName=cloud.table,
                           Item={"TickerName": {"S": name}, "Price": {"N": price}})
    for n in range(15):
        lambdas.invoke("streaming-lambda", scheduled(f"2026-11-26T09:{n:02d}:00Z"))
    items = cloud.items()
    for name, start in (("PENNY", 0.05), ("DUST", 0.00001)):
        own = sorted((t for t in cloud.ticks() if t["ticker"] == name), key=lambda t: t["seq"])
        prices = [t["price"] for t in own]
        moves = sum(a != b for a, b in zip([start] + prices, prices))
        assert len(prices) == 60 and moves > 50           # 20 identical ticks before
        assert min(prices) > start * 0.9                        # no 0.0001 floor under it
        assert float(items[name]["Price"]["N"]) == prices[-1]
