#!/usr/bin/env python3
"""Generates Sources/KafkaProtocol/Messages/*.generated.swift from Kafka's message specs.

The specs (Apache Kafka's clients/src/main/resources/common/message/*.json) are read from
${BROOK_SHARED:-<repo>/../shared}/kafka-protocol/messages. For every API in `APIS` this writes one
Swift file holding the request and response structs; `DATA_MESSAGES` get one file each; and
`ApiKeys.generated.swift` holds the ApiKey table and the `KafkaRequestBody` dispatch enum.
Tests/KafkaProtocolTests/RandomMessages.generated.swift gets seeded random-value builders for
the round-trip tests.

Usage:
    Tools/generate-protocol.py            # (re)write the generated files
    Tools/generate-protocol.py --check    # exit 1 if the committed files differ from the output
    Tools/generate-protocol.py --output DIR   # write under DIR instead of the repository

The generator itself lives in Tools/kafka_codegen/ (spec model, Swift type mapping, emitter,
random builders); this script is its driver. Output is deterministic: it depends only on the
spec files and the generator (standard library only, no timestamps, stable ordering).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kafka_codegen.constants import APIS, DATA_MESSAGES, GeneratorError
from kafka_codegen.spec import Message, Versions, load_spec
from kafka_codegen.emit import generate_api_file, generate_data_file, generate_tables
from kafka_codegen.random_builders import generate_random_file


# ---------------------------------------------------------------------------------------------
# Driver


def spec_directory(repository):
    shared = os.environ.get("BROOK_SHARED") or os.path.join(repository, "..", "shared")
    return os.path.join(shared, "kafka-protocol", "messages")


MESSAGES_DIRECTORY = os.path.join("Sources", "KafkaProtocol", "Messages")
TESTS_DIRECTORY = os.path.join("Tests", "KafkaProtocolTests")


def generate(directory):
    """Returns {path relative to the repository: contents}."""
    outputs = {}
    pairs = []
    all_messages = []
    for api in APIS:
        request = Message(load_spec(directory, api + "Request"))
        response = Message(load_spec(directory, api + "Response"))
        if request.api_key != response.api_key or request.kind != "request" or response.kind != "response":
            raise GeneratorError("%s: request/response specs do not pair up" % api)
        outputs[os.path.join(MESSAGES_DIRECTORY, "%s.generated.swift" % api)] = generate_api_file(request, response, api)
        pairs.append((api, request, response))
        all_messages.extend([request, response])
    for name in DATA_MESSAGES:
        message = Message(load_spec(directory, name))
        outputs[os.path.join(MESSAGES_DIRECTORY, "%s.generated.swift" % name)] = generate_data_file(message)
        all_messages.append(message)
    all_requests = []
    for file_name in sorted(os.listdir(directory)):
        if not file_name.endswith("Request.json"):
            continue
        spec = load_spec(directory, file_name[: -len(".json")])
        if spec.get("type") != "request" or "apiKey" not in spec:
            continue
        flexible = Versions(spec.get("flexibleVersions", "none"))
        all_requests.append((spec["apiKey"], spec["name"][: -len("Request")], None if flexible.empty else flexible.lowest))
    all_requests.sort()
    outputs[os.path.join(MESSAGES_DIRECTORY, "ApiKeys.generated.swift")] = generate_tables(pairs, all_requests)
    outputs[os.path.join(TESTS_DIRECTORY, "RandomMessages.generated.swift")] = generate_random_file(all_messages)
    return outputs


def main():
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed output differs")
    parser.add_argument("--output", default=repository, help="root to write under (default: this repository)")
    parser.add_argument("--specs", default=None, help="spec directory (default: from BROOK_SHARED)")
    arguments = parser.parse_args()
    directory = arguments.specs or spec_directory(repository)
    try:
        outputs = generate(directory)
    except (GeneratorError, OSError, ValueError, KeyError) as error:
        print("generate-protocol: %s" % error, file=sys.stderr)
        return 2
    existing = set()
    for folder in (MESSAGES_DIRECTORY, TESTS_DIRECTORY):
        path = os.path.join(arguments.output, folder)
        if os.path.isdir(path):
            existing |= {os.path.join(folder, name) for name in os.listdir(path) if name.endswith(".generated.swift")}
    if arguments.check:
        problems = []
        for name in sorted(outputs):
            path = os.path.join(arguments.output, name)
            if not os.path.exists(path):
                problems.append("missing: " + name)
                continue
            with open(path, encoding="utf-8") as handle:
                if handle.read() != outputs[name]:
                    problems.append("differs: " + name)
        for name in sorted(existing - set(outputs)):
            problems.append("stale: " + name)
        for problem in problems:
            print("generate-protocol --check: " + problem, file=sys.stderr)
        return 1 if problems else 0
    for name in sorted(existing - set(outputs)):
        os.remove(os.path.join(arguments.output, name))
    for name in sorted(outputs):
        path = os.path.join(arguments.output, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        if current != outputs[name]:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(outputs[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
