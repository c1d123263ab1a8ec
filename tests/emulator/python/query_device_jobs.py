#!/usr/bin/env python3
# Hand-written test infrastructure (not generated): opt-in interoperability check.
"""Microsoft's Python service SDK (azure-iot-hub) reads device jobs from the emulator.

Starts the emulator binary on 127.0.0.1 (port 0) with registry.json, schedules a direct
method job with the SDK's IoTHubJobManager, waits for it to finish, then reads its device
jobs with IoTHubRegistryManager.query_iot_hub(QuerySpecification(query=...),
continuation_token, max_item_count), page after page. Prints what the SDK read, and with
--record FILE writes the HTTP exchange (requests and responses as sent and received, the
Authorization header redacted) and what the SDK returned, with the SDK's version.

Usage (from the repository root; see tests/emulator/README.md):

    VENV=$(mktemp -d) && python3 -m venv "$VENV" && "$VENV/bin/pip" install azure-iot-hub six
    cargo build -p iothub-emulator
    "$VENV/bin/python" tests/emulator/python/query_device_jobs.py \
        [--emulator target/debug/iothub-emulator] [--record tests/data/python-sdk-device-jobs.json]

The SDK's clients build https:// URLs from the connection string's HostName; the script
keeps their authentication (SAS tokens for that HostName) and points their generated
protocol client at the emulator's http://127.0.0.1 endpoint instead.
"""

import argparse
import json
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import requests
from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager
from azure.iot.hub.auth import ConnectionStringAuthentication
from azure.iot.hub.models import CloudToDeviceMethod, JobRequest, QuerySpecification
from azure.iot.hub.protocol.iot_hub_gateway_service_ap_is import IotHubGatewayServiceAPIs

HERE = Path(__file__).resolve().parent
JOB_ID = "python-reboot"
QUERY = f"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{JOB_ID}'"
PAGE_SIZE = 3
# The request and response headers worth keeping in the record.
KEPT = {
    "accept",
    "content-type",
    "x-ms-max-item-count",
    "x-ms-continuation",
    "x-ms-item-type",
    "iothub-errorcode",
    "authorization",
}

exchanges = []
_send = requests.Session.send


def recording_send(self, request, **kwargs):
    """requests.Session.send, keeping each request and response as they went over the wire."""
    response = _send(self, request, **kwargs)
    body = request.body.decode() if isinstance(request.body, bytes) else request.body

    def headers(items):
        return {
            k.lower(): ("SharedAccessSignature <redacted>" if k.lower() == "authorization" else v)
            for k, v in items
            if k.lower() in KEPT
        }

    path, _, query = request.path_url.partition("?")
    exchanges.append(
        {
            "request": {
                "method": request.method,
                "path": path,
                "query": query,
                "headers": headers(request.headers.items()),
                "body": json.loads(body) if body else None,
            },
            "response": {
                "status": response.status_code,
                "headers": headers(response.headers.items()),
                "body": response.json() if response.content else None,
            },
        }
    )
    return response


def start_emulator(binary):
    command = [binary] if binary else ["cargo", "run", "-q", "-p", "iothub-emulator", "--"]
    command += ["--addr", "127.0.0.1:0", "--registry", str(HERE / "registry.json")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    settings = {}
    while len(settings) < 2:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"the emulator exited: {process.wait()}")
        key, _, value = line.strip().partition("=")
        settings[key] = value
    return process, settings["IOTHUB_ENDPOINT"], settings["IOTHUB_CONNECTION_STRING"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", help="the emulator binary (default: cargo run)")
    parser.add_argument("--record", help="write the exchange to this JSON file")
    args = parser.parse_args()

    process, endpoint, connection_string = start_emulator(args.emulator)
    assert endpoint.startswith("http://127.0.0.1:"), endpoint
    try:
        auth = ConnectionStringAuthentication(connection_string)
        jobs = IoTHubJobManager.from_connection_string(connection_string)
        jobs.protocol = IotHubGatewayServiceAPIs(auth, endpoint)
        registry = IoTHubRegistryManager.__new__(IoTHubRegistryManager)
        registry.amqp_svc_client = None
        registry.protocol = IotHubGatewayServiceAPIs(auth, endpoint)

        requests.Session.send = recording_send
        request = JobRequest(
            job_id=JOB_ID,
            type="scheduleDeviceMethod",
            cloud_to_device_method=CloudToDeviceMethod(
                method_name="reboot", payload={}, response_timeout_in_seconds=30
            ),
            query_condition="*",
            max_execution_time_in_seconds=60,
        )
        jobs.create_scheduled_job(JOB_ID, request)
        # The polls until the job ends are not recorded (their number depends on timing).
        requests.Session.send = _send
        created = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job = jobs.get_scheduled_job(JOB_ID)
            if job.status in ("completed", "failed", "cancelled"):
                created = job
                break
            time.sleep(0.2)
        if created is None:
            raise SystemExit("the job did not finish within 30 s")

        requests.Session.send = recording_send
        pages = []
        token = None
        while True:
            result = registry.query_iot_hub(QuerySpecification(query=QUERY), token, PAGE_SIZE)
            pages.append(
                {
                    "type": result.type,
                    "continuation_token": result.continuation_token,
                    "items": [item.as_dict() for item in result.items],
                    "item_class": sorted({type(item).__name__ for item in result.items}),
                }
            )
            token = result.continuation_token
            if not token:
                break
        requests.Session.send = _send
    finally:
        process.terminate()
        process.wait()

    print(json.dumps(pages, indent=2))
    if args.record:
        record = {
            "_comment": (
                "Recorded by tests/emulator/python/query_device_jobs.py: Microsoft's Python "
                "service SDK (azure-iot-hub) reading the device jobs of a scheduled job from "
                "the emulator (registry tests/emulator/python/registry.json). `exchanges` are "
                "the HTTP requests and responses as sent and received (Authorization "
                "redacted); `sdk_read` is what IoTHubRegistryManager.query_iot_hub returned "
                "for each page. Replayed by tests/emulator/tests/python_sdk.rs."
            ),
            "sdk": {
                "azure-iot-hub": metadata.version("azure-iot-hub"),
                "msrest": metadata.version("msrest"),
                "python": sys.version.split()[0],
            },
            "job_id": JOB_ID,
            "query": QUERY,
            "page_size": PAGE_SIZE,
            "job_status": created.status,
            "exchanges": exchanges,
            "sdk_read": pages,
        }
        Path(args.record).write_text(json.dumps(record, indent=2) + "\n")
        print(f"recorded {len(exchanges)} exchanges in {args.record}", file=sys.stderr)


if __name__ == "__main__":
    main()
