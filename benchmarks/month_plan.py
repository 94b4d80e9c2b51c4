"""The reference shop's month, as a list of dated events: what the till, the web shop and the
back office do, drawn once from a seed, so every run of the month plays the same month.

Pure data: no I/O. :mod:`benchmarks.month` plays the events on the simulator's till and through
Connect's own services, each at its simulated time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
OPENING, CLOSING = time(9, 0), time(19, 0)  # the store's hours: till and receptions
SEED = 2027


@dataclass(frozen=True)
class Shape:
    """What one month of the reference shop holds (the issue's numbers, scaled by mode)."""

    days: int
    products: int
    till_sales_per_day: int
    lines_per_sale: tuple[int, int] = (1, 5)
    known_customer_share: float = 0.20
    new_customer_share: float = 0.02
    split_payment_share: float = 0.05  # DIV
    exchanges_per_day: int = 2
    refunds_per_day: int = 1
    web_orders_per_day: int = 25
    web_order_lines: int = 2
    reception_products: int = 150  # one goods reception a week
    product_edits_per_day: int = 15
    new_products_per_week: int = 10
    new_web_customers_per_day: int = 30
    lost_webhooks: int = 3  # in the whole month
    known_customers: int = 40  # already in both systems before the month


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TillSale:
    at: datetime
    lines: tuple[tuple[int, int], ...]  # (product index, quantity)
    customer: str  # "guest", "known" or "new"
    known_customer: int  # index among the known customers
    split: bool  # paid in two payment types (DIV)
    webhook_lost: bool


@dataclass(frozen=True)
class Exchange:
    at: datetime
    pick: float  # which earlier sale (a fraction of those made so far)
    replacement: int  # product index of the replacement, -1 for none
    back_to_stock: bool  # the cashier puts the item back on the shelf


@dataclass(frozen=True)
class Refund:
    at: datetime
    product: int


@dataclass(frozen=True)
class WebOrder:
    at: datetime
    lines: tuple[tuple[int, int], ...]
    ship_at: datetime  # the next morning


@dataclass(frozen=True)
class Reception:
    at: datetime
    products: tuple[int, ...]
    quantity: int


@dataclass(frozen=True)
class ProductEdit:
    at: datetime
    product: int
    cents: int  # price change in cents


@dataclass(frozen=True)
class NewProduct:
    at: datetime
    number: int  # 1, 2, … over the month
    stock: int


@dataclass(frozen=True)
class NewCustomer:
    at: datetime
    number: int


Event = TillSale | Exchange | Refund | WebOrder | Reception | ProductEdit | NewProduct | NewCustomer


@dataclass
class MonthPlan:
    start: datetime  # aware: the first day's midnight, Paris time
    days: int
    events: list[Event] = field(default_factory=list)  # in time order

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    def count(self, kind: type) -> int:
        return sum(isinstance(event, kind) for event in self.events)


def _moment(rng: random.Random, day: datetime, opening: time, closing: time) -> datetime:
    first = day.replace(hour=opening.hour, minute=opening.minute)
    seconds = int((closing.hour - opening.hour) * 3600 + (closing.minute - opening.minute) * 60)
    return first + timedelta(seconds=rng.randrange(seconds))


def _lines(rng: random.Random, products: int, low: int, high: int) -> tuple[tuple[int, int], ...]:
    chosen = rng.sample(range(products), min(products, rng.randint(low, high)))
    return tuple((index, 1 if rng.random() < 0.8 else 2) for index in chosen)


def plan_month(shape: Shape, start: datetime, seed: int = SEED) -> MonthPlan:
    """Every event of ``shape.days`` days from ``start`` (midnight, Paris time), in time order.
    The same shape, start and seed give the same month."""
    rng = random.Random(seed)
    plan = MonthPlan(start=start, days=shape.days)
    events: list[Event] = []
    sales_total = shape.till_sales_per_day * shape.days
    # A generator of its own: day k's events are the same whatever the number of days played.
    lost = set(
        random.Random(seed + 1).sample(range(sales_total), min(shape.lost_webhooks, sales_total))
    )
    sale_number = 0
    new_product = new_customer = 0
    for day_index in range(shape.days):
        day = (start + timedelta(days=day_index)).astimezone(PARIS)
        day = day.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(shape.till_sales_per_day):
            roll = rng.random()
            customer = (
                "new"
                if roll < shape.new_customer_share
                else "known"
                if roll < shape.new_customer_share + shape.known_customer_share
                else "guest"
            )
            events.append(
                TillSale(
                    at=_moment(rng, day, OPENING, CLOSING),
                    lines=_lines(rng, shape.products, *shape.lines_per_sale),
                    customer=customer,
                    known_customer=rng.randrange(shape.known_customers),
                    split=rng.random() < shape.split_payment_share,
                    webhook_lost=sale_number in lost,
                )
            )
            sale_number += 1
        for _ in range(shape.exchanges_per_day):
            events.append(
                Exchange(
                    at=_moment(rng, day, time(10, 0), CLOSING),
                    pick=rng.random(),
                    replacement=rng.randrange(shape.products) if rng.random() < 0.7 else -1,
                    back_to_stock=rng.random() < 0.8,
                )
            )
        for _ in range(shape.refunds_per_day):
            events.append(
                Refund(
                    at=_moment(rng, day, OPENING, CLOSING), product=rng.randrange(shape.products)
                )
            )
        for _ in range(shape.web_orders_per_day):
            at = _moment(rng, day, time(0, 0), time(23, 59))
            events.append(
                WebOrder(
                    at=at,
                    lines=_lines(rng, shape.products, shape.web_order_lines, shape.web_order_lines),
                    ship_at=day + timedelta(days=1, hours=9, minutes=rng.randrange(120)),
                )
            )
        for _ in range(shape.product_edits_per_day):
            events.append(
                ProductEdit(
                    at=_moment(rng, day, time(8, 0), time(18, 0)),
                    product=rng.randrange(shape.products),
                    cents=rng.choice((-100, -50, 50, 100, 200)),
                )
            )
        for _ in range(shape.new_web_customers_per_day):
            new_customer += 1
            events.append(
                NewCustomer(at=_moment(rng, day, time(0, 0), time(23, 59)), number=new_customer)
            )
        weekday = day_index % 7
        if weekday == 1:  # Tuesday morning: the week's goods reception
            events.append(
                Reception(
                    at=day.replace(hour=8, minute=30),
                    products=tuple(
                        rng.sample(
                            range(shape.products), min(shape.products, shape.reception_products)
                        )
                    ),
                    quantity=6,
                )
            )
        # New products spread over the week, each with its first stock.
        per_day = shape.new_products_per_week // 7 + (weekday < shape.new_products_per_week % 7)
        for _ in range(per_day):
            new_product += 1
            events.append(
                NewProduct(
                    at=_moment(rng, day, time(8, 0), time(18, 0)), number=new_product, stock=12
                )
            )
    events.sort(key=lambda event: event.at)
    plan.events = events
    return plan
