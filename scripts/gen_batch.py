#!/usr/bin/env python3
"""Writes a synthetic batch of webhook events, in the events shape, as JSON Lines.

The batch looks like a payment provider's delivery log: each new event has an id
of the form evt_ plus 24 letters and digits, a realistic event type, an RFC 3339
timestamp that moves forward, and a small payload. A share of the events are
redeliveries of an earlier event of the batch, with the same id, type, timestamp
and payload, as providers resend them. One redelivery in fifty has a changed
payload, as when a provider reuses an id for other content, so that the payload
comparison has something to find.

The output depends only on the arguments: the same seed gives the same bytes on
every machine. The committed sample is made with

    python3 scripts/gen_batch.py --events 10000 --duplicates 0.2 --seed 42 \
        > sample-data/large-10k.json
"""

import argparse
import datetime
import json
import random
import string
import sys

ID_ALPHABET = string.ascii_letters + string.digits

EVENT_TYPES = [
    "payment_intent.succeeded",
    "payment_intent.created",
    "charge.succeeded",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "checkout.session.completed",
    "charge.refunded",
]

CURRENCIES = ["usd", "eur", "gbp"]

START = datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)

# One redelivery in this many carries a payload that differs from the first delivery.
CHANGED_PAYLOAD_EVERY = 50


def random_id(rng, prefix, length):
    return prefix + "".join(rng.choice(ID_ALPHABET) for _ in range(length))


def new_event(rng, clock):
    event_type = rng.choice(EVENT_TYPES)
    timestamp = clock.isoformat(timespec="seconds").replace("+00:00", "Z")
    payload = {
        "amount": rng.randrange(100, 250_000),
        "currency": rng.choice(CURRENCIES),
        "customer": random_id(rng, "cus_", 14),
    }
    return {
        "event_id": random_id(rng, "evt_", 24),
        "event_type": event_type,
        "timestamp": timestamp,
        "payload": payload,
    }


def generate(events, duplicates, seed):
    """Returns the batch as a list of event objects, in delivery order."""
    rng = random.Random(seed)
    redeliveries = round(events * duplicates)
    originals = events - redeliveries
    if originals < 1 and events > 0:
        raise ValueError(
            f"--duplicates {duplicates} leaves no new event in a batch of {events}; pass a smaller share"
        )

    # True marks a redelivery. The first event is always new, so it has nothing to redeliver.
    kinds = [False] * (originals - 1) + [True] * redeliveries
    rng.shuffle(kinds)
    kinds = [False] + kinds if events > 0 else []

    batch = []
    sent = []
    clock = START
    redelivered = 0
    for is_redelivery in kinds:
        if is_redelivery:
            first = rng.choice(sent)
            event = dict(first)
            redelivered += 1
            if redelivered % CHANGED_PAYLOAD_EVERY == 0:
                event["payload"] = dict(first["payload"], amount=first["payload"]["amount"] + 1)
        else:
            clock += datetime.timedelta(seconds=rng.randrange(1, 30))
            event = new_event(rng, clock)
            sent.append(event)
        batch.append(event)
    return batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="number of events (default 10000)")
    parser.add_argument(
        "--duplicates",
        type=float,
        default=0.2,
        help="share of events that redeliver an earlier event, 0 to 1 (default 0.2)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = parser.parse_args()
    if args.events < 0 or not 0 <= args.duplicates < 1:
        parser.error("--events must be 0 or more and --duplicates from 0 up to, not including, 1")

    try:
        batch = generate(args.events, args.duplicates, args.seed)
    except ValueError as error:
        parser.error(str(error))

    out = sys.stdout
    for event in batch:
        out.write(json.dumps(event, separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
