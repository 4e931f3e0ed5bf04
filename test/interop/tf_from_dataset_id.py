"""Reads a dataset registered with a tf.data service through TF's Python `from_dataset_id`,
WITHOUT an element_spec: TF then fetches it from the dispatcher's `GetDataServiceMetadata`
(a serialized StructuredValue), which is what this checks against our dispatcher.

Usage: tf_from_dataset_id.py SERVICE DATASET_ID PROCESSING_MODE
Prints one JSON line: {"event": "elements", "spec": <element_spec as JSON of TensorSpec strings>, "elements": [...]}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from json_child import to_json  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    service, dataset_id, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    ds = tf.data.experimental.service.from_dataset_id(processing_mode=mode, service=service, dataset_id=dataset_id)
    elements = [to_json(e) for e in ds.as_numpy_iterator()]
    # The spec as a structure of TensorSpec strings: a dict's key order after TF decodes a
    # StructuredValue follows proto map order, which varies from process to process (TF's own too).
    spec = to_json(tf.nest.map_structure(str, ds.element_spec))
    print(json.dumps({"event": "elements", "spec": spec, "elements": elements}), flush=True)


if __name__ == "__main__":
    main()
