"""What the bucket and the table hold now, read back into the demo's state after each run."""
from chalicelib.api.apiquery import HISTORY_PREFIX as BACKFILL_PREFIX
from chalicelib.walk import state as table_state
from chalicelib.walk.calendars import CalendarExhausted, is_open
from chalicelib.walk.items import item_name, parse_ticker
from tickersim.base.records import news_in, ticks_in
from tickersim.local.demo_state import TickerView
from tickersim.local.outdir import bucket_copy_path


class BucketSync:
    """Part of Demo: copies new objects to DIR/s3 and takes their ticks, reads the table."""

    def read_table(self):
        """The table's tickers. An item that does not parse is left out and named once: the
        streaming function leaves it too, and its runs fail with MalformedItems.

        A `--count` fleet is not read back: moto takes minutes to scan tens of thousands of
        items, so its view takes prices from the delivered ticks alone."""
        if self.args.count is not None:
            return {}
        items, _ = table_state.read_all(self.cloud.client("dynamodb"), self.table)
        tickers, skipped = {}, {}
        for item in items:
            try:
                ticker = parse_ticker(item)
            except ValueError as exc:
                name, why = item_name(item), str(exc)
                skipped[name] = why
                if self.skipped.get(name) != why:
                    self.view.event(f"table item {name!r} left out of the view: {why}",
                                    "yellow")
                continue
            tickers[ticker.name] = ticker
        self.skipped = skipped
        return tickers

    def sync(self):
        """Copy new objects from the bucket to DIR/s3, and read the table's prices."""
        s3 = self.cloud.client("s3")
        if self.stream_side:
            self.stream_side.sync(self.run_started)
        self.cloud.deliver_stream(self.names.bucket)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.names.bucket):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                if key in self.seen_keys:
                    continue
                data = s3.get_object(Bucket=self.names.bucket, Key=key)["Body"].read()
                self.seen_keys.add(key)
                copy = bucket_copy_path(key)
                if copy is None:
                    self.view.event(f"s3://{self.names.bucket}/{key}: not copied to s3/, the "
                                    "key is not a plain file path", "yellow")
                else:
                    self.files.write_bytes(copy, data)
                self.state.s3_objects += 1
                self.take_ticks(key, data)
                self.watching.landed(key, data, self.state.minute, self.run_started)
        minute = self.state.start_epoch // 60 + self.state.minute
        for name, ticker in self.read_table().items():
            view = self.state.tickers.setdefault(name, TickerView(ticker.price, ticker.price))
            view.price = ticker.price
            try:
                view.closed = not is_open(ticker.calendar_name, minute)
            except CalendarExhausted:
                view.closed = True       # the function names it in its failed runs
            self.scripted |= ticker.calendar_name != "24x7"

    def take_ticks(self, key, data):
        ticks, unreadable = ticks_in(data)
        if key.startswith(BACKFILL_PREFIX):
            # `tickersim backfill` into the running demo: another table, counted apart.
            self.state.ticks_backfilled += len(ticks)
            ticks = []
        # News records share the stream (the bucket files them under news/): not ticks.
        for record in news_in(data) if unreadable else ():
            unreadable -= 1
            self.state.news += 1
            self.view.event(f"news {record.get('timestamp')}: {record.get('headline')}",
                            "bold cyan")
        for tick in ticks:
            view = self.state.tickers.setdefault(
                tick["ticker"], TickerView(tick["price"], tick["price"]))
            self.state.ticks_delivered += 1
            self.state.tick_keys.add((tick["ticker"], tick["seq"]))
            view.ticks += 1
            view.history.append(tick["price"])
            if tick["seq"] > view.last_seq:
                view.last_seq, view.last_tick_price = tick["seq"], tick["price"]
                if self.args.count is not None:     # the table is not read back
                    view.price = tick["price"]
        if unreadable:
            self.state.unreadable_lines += unreadable
            self.view.event(f"s3://{self.names.bucket}/{key}: skipped {unreadable} line(s) "
                            "that are not ticks", "yellow")
