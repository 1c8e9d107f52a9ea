#!/usr/bin/python3
"""Send Fashion-MNIST test images to Sluice as Open Inference Protocol JSON and print the answers.

Uses Debian's python3-confluent-kafka (apt-get install python3-confluent-kafka).

    ./sluice up --serve            # in another terminal; note the bootstrap address it prints
    /usr/bin/python3 examples/oip_json_client.py --bootstrap localhost:PORT --count 5
"""
import argparse
import gzip
import json
import os
import time
import uuid

from confluent_kafka import Consumer, Producer

# the repository's copy of the test split (datasets/fashion-mnist), unless SLUICE_FASHION_MNIST names another
DATA = os.environ.get("SLUICE_FASHION_MNIST") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets", "fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def test_images(count):
    with gzip.open(f"{DATA}/t10k-images-idx3-ubyte.gz") as f:
        images = f.read()[16:]
    with gzip.open(f"{DATA}/t10k-labels-idx1-ubyte.gz") as f:
        labels = f.read()[8:]
    for i in range(count):
        yield [b / 255.0 for b in images[i * 784:(i + 1) * 784]], labels[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--timeout-ms", type=int, default=1000)
    ap.add_argument("--min-accuracy", type=float, default=0.9)
    args = ap.parse_args()

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "oip-example-" + uuid.uuid4().hex,
                         "auto.offset.reset": "latest", "isolation.level": "read_committed"})
    consumer.subscribe(["sluice.results.json"])
    consumer.poll(1.0)  # join the group before sending, so no answer is missed
    producer = Producer({"bootstrap.servers": args.bootstrap})

    expected = {}
    for pixels, label in test_images(args.count):
        rid = "py-" + uuid.uuid4().hex[:12]
        request = {"id": rid, "task": "fashion-mnist", "timeout_ms": args.timeout_ms,
                   "min_accuracy": args.min_accuracy,
                   "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 1, 28, 28], "data": pixels}]}
        producer.produce("sluice.requests.json", key=rid, value=json.dumps(request))
        expected[rid] = (label, time.time())
    producer.flush()

    deadline = time.time() + 30
    while expected and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        result = json.loads(msg.value())
        if result["id"] not in expected:
            continue
        label, sent = expected.pop(result["id"])
        # an OIP inference response: Sluice's status and the rest in "parameters", "error" when not answered
        params = result["parameters"]
        got = result["outputs"][0]["data"][0] if result["outputs"] else None
        print(f'{result["id"]}: {params["status"]} by {params["variants"]} -> '
              f'{CLASSES[got] if got is not None else "-"} (truth {CLASSES[label]}), '
              f'{(time.time() - sent) * 1000:.0f} ms{", " + result["error"] if result.get("error") else ""}')
    consumer.close()
    if expected:
        raise SystemExit(f"no answer for {len(expected)} requests")


if __name__ == "__main__":
    main()
