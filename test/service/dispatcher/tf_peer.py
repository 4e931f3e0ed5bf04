"""TensorFlow 2.21 peers of OUR dispatcher, for the dispatcher suites: TF WorkerServers that
register with it, TF's own client reading through it, TF's own readers checking our journal and
dataset files, and TF DispatchServers restarted on our work dir.

Protocol: one JSON object per line. stdout first prints {"event":"ready","version":V}; each stdin
command {"id":N,"cmd":...} gets one answer {"id":N,"event":...} (a failing command answers
{"id":N,"event":"error","message":"..."}). The process exits when stdin closes, and dies with its
parent (PR_SET_PDEATHSIG).

Commands
  worker        {dispatcher, heartbeat_ms}                    -> {event:"worker", worker:"localhost:P"}
  stop_worker   {address}                                     -> {event:"stopped"}
  read          {expr, service, processing_mode, job_name?, refresh_ms?, timeout_s, repeat?,
                 target_workers?, raw?}
                expr is a python expression over `tf` building the dataset (our test code, not
                user input); `repeat` applies .repeat(k) AFTER distribute; with `raw` the expression
                is the whole reading dataset (it calls distribute itself; SERVICE is the service).
                                                             -> {event:"result", elements:[...]}
  open          {session, expr, service, processing_mode, job_name?, refresh_ms?}  -> {event:"opened"}
  open_coordinated {session, service, num_consumers, job_name, processing_mode?, refresh_ms?}
                the coordinated-read setup of TF's service tests: `num_consumers` consumers of one
                round-robin job, read in parallel and interleaved so element n comes from consumer
                n % num_consumers; each worker produces groups of num_consumers consecutive numbers
                (starting with 0, 1, ...), so every run of num_consumers results must be consecutive.
                                                             -> {event:"opened"}
  take          {session, count, timeout_s}                   -> {event:"result", elements:[...]}
  drain         {session, timeout_s}                          -> {event:"result", elements:[...]}
  close         {session}      drops the iterator (TF's client then releases its iteration client)
                                                             -> {event:"closed"}
  num_tasks     {address}      a TF worker's WorkerServer._num_tasks() -> {event:"num_tasks", count}
  journal       {path}        TFRecordDataset over one journal file, each record parsed as
                              tensorflow.data.Update    -> {event:"journal", updates:[{type, value}]}
  dataset_file  {path}        one TFRecord holding a DatasetDef -> {event:"dataset", ops:[...], records:N}
  tf_dispatcher {work_dir, fault_tolerant}  a TF DispatchServer on that work dir (replays its journal)
                                                             -> {event:"dispatcher", address, num_workers}
  stop_dispatcher {address}                                  -> {event:"stopped"}
  tf_splits     {graphs:[base64 GraphDef...], max_splits}  TF's OWN split providers: each graph is
                registered with a private TF dispatcher, read as a DYNAMIC job, and every provider
                asked for splits (raw gRPC) -> {event:"splits", results:[{providers:[[int...,"EOS"]]}
                | {error:[code, message]}]} (a list without "EOS" was cut at max_splits)
Elements are JSON via numpy .tolist() (tuples become lists).
"""
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from json_child import die_with_parent, emit, to_json  # noqa: E402


def main():
    die_with_parent()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
    from tensorflow.python.data.experimental.ops import data_service_ops

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    fds = descriptor_pb2.FileDescriptorSet.FromString(
        open(os.path.join(root, "test", "fixtures", "proto", "tf-2.21-descriptors.binpb"), "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    Update = message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.data.Update"))
    DatasetDef = message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.data.DatasetDef"))

    service = tf.data.experimental.service
    servers = {}
    split_oracle = {}

    def tf_splits(graphs, max_splits):
        import base64
        import grpc
        import struct

        def M(name):
            return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))

        if "channel" not in split_oracle:
            d = service.DispatchServer(service.DispatcherConfig(port=0))
            split_oracle["server"] = d
            split_oracle["channel"] = grpc.insecure_channel(d.target.split("://")[1])
        ch = split_oracle["channel"]

        def call(method, req, resp):
            return ch.unary_unary("/tensorflow.data.DispatcherService/" + method,
                                  request_serializer=lambda m: m.SerializeToString(),
                                  response_deserializer=M("tensorflow.data." + resp).FromString)(req, timeout=60)

        def R(name, **kw):
            return M("tensorflow.data." + name)(**kw)

        # A worker address nobody serves: TF ignores the failed task pushes.
        call("WorkerHeartbeat", R("WorkerHeartbeatRequest", worker_address="localhost:1"), "WorkerHeartbeatResponse")
        results = []
        for g64 in graphs:
            graph = M("tensorflow.GraphDef").FromString(base64.b64decode(g64))
            try:
                reg = call("GetOrRegisterDataset", R("GetOrRegisterDatasetRequest", dataset=R("DatasetDef", graph=graph),
                           metadata=M("tensorflow.data.DataServiceMetadata")(compression=1, cardinality=-2)),
                           "GetOrRegisterDatasetResponse")
                job = call("GetOrCreateJob", R("GetOrCreateJobRequest", dataset_id=reg.dataset_id,
                           processing_mode_def=M("tensorflow.data.ProcessingModeDef")(sharding_policy=1)),
                           "GetOrCreateJobResponse")
                call("GetOrCreateIteration", R("GetOrCreateIterationRequest", job_id=job.job_id),
                     "GetOrCreateIterationResponse")
            except grpc.RpcError as e:
                results.append({"error": [e.code().name, e.details()]})
                continue
            hb = call("WorkerHeartbeat", R("WorkerHeartbeatRequest", worker_address="localhost:1"), "WorkerHeartbeatResponse")
            task = max(hb.new_tasks, key=lambda t: t.iteration_id)
            providers = []
            for p in range(task.num_split_providers):
                splits = []
                while len(splits) < max_splits:
                    r = call("GetSplit", R("GetSplitRequest", iteration_id=task.iteration_id, repetition=0,
                             split_provider_index=p), "GetSplitResponse")
                    if r.end_of_splits:
                        splits.append("EOS")
                        break
                    t = r.split
                    if t.dtype != 9 or len(t.tensor_shape.dim) != 0 or len(t.tensor_content) != 8:
                        raise ValueError("unexpected split tensor %s" % t)
                    splits.append(struct.unpack("<q", t.tensor_content)[0])
                providers.append(splits)
            call("WorkerUpdate", R("WorkerUpdateRequest", worker_address="localhost:1",
                 updates=[M("tensorflow.data.TaskProgress")(task_id=task.task_id, completed=True)]), "WorkerUpdateResponse")
            results.append({"providers": providers})
        return results

    sessions = {}
    lock = threading.Lock()

    def make_dataset(req):
        env = {"tf": tf, "np": __import__("numpy"), "SERVICE": req.get("service")}
        ds = eval(req["expr"], env)  # test-authored expressions only
        if req.get("raw"):
            return ds
        refresh = req.get("refresh_ms")
        ds = ds.apply(data_service_ops._distribute(
            processing_mode=req.get("processing_mode", "parallel_epochs"),
            service=req["service"],
            job_name=req.get("job_name"),
            task_refresh_interval_hint_ms=refresh,
            compression=req.get("compression"),
            target_workers=req.get("target_workers") or "AUTO",
        ))
        if req.get("repeat"):
            ds = ds.repeat(int(req["repeat"]))
        return ds

    def make_coordinated(req):
        n = int(req["num_consumers"])

        def group(x):
            x = x % (2 ** 32)  # keeps (x + 1) * n inside int64
            return tf.data.Dataset.range(x * n, (x + 1) * n)

        # A first element 0 shows when a worker (re)starts its copy under OFF.
        source = tf.data.Dataset.from_tensors(tf.constant(0, tf.int64)).concatenate(tf.data.Dataset.random())
        source = source.flat_map(group)
        consumers = [source.apply(data_service_ops._distribute(
            processing_mode=req.get("processing_mode", "parallel_epochs"), service=req["service"],
            job_name=req["job_name"], consumer_index=i, num_consumers=n,
            task_refresh_interval_hint_ms=req.get("refresh_ms"))) for i in range(n)]
        return tf.data.Dataset.from_tensor_slices(consumers).interleave(
            lambda x: x, cycle_length=n, num_parallel_calls=n)

    def take(it, count, timeout_s):
        # On a thread: TF's client retries forever, so a stuck read must not block the command loop.
        out, errors, done = [], [], threading.Event()

        def run():
            try:
                while count is None or len(out) < count:
                    try:
                        out.append(to_json(next(it)))
                    except StopIteration:
                        break
            except Exception as e:  # pylint: disable=broad-except
                errors.append(e)
            finally:
                done.set()

        threading.Thread(target=run, daemon=True).start()
        if not done.wait(timeout_s):
            raise TimeoutError("read did not finish within %ss (got %d elements)" % (timeout_s, len(out)))
        if errors:
            raise errors[0]
        return list(out)

    def stop_all():
        for s in list(servers.values()):
            try:
                s._stop()
            except Exception:  # pylint: disable=broad-except
                pass
        servers.clear()

    def on_signal(signum, _frame):
        stop_all()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    emit({"event": "ready", "version": tf.__version__})

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = {}
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            rid = req.get("id")
            if cmd == "worker":
                with lock:
                    w = service.WorkerServer(service.WorkerConfig(
                        dispatcher_address=req["dispatcher"], port=0,
                        heartbeat_interval_ms=req.get("heartbeat_ms")))
                    servers[w._address] = w
                emit({"id": rid, "event": "worker", "worker": w._address})
            elif cmd == "stop_worker" or cmd == "stop_dispatcher":
                with lock:
                    servers.pop(req["address"])._stop()
                emit({"id": rid, "event": "stopped"})
            elif cmd == "read":
                ds = make_dataset(req)
                elements = take(iter(ds), None, float(req.get("timeout_s", 60)))
                emit({"id": rid, "event": "result", "elements": elements})
            elif cmd == "open":
                sessions[req["session"]] = iter(make_dataset(req))
                emit({"id": rid, "event": "opened"})
            elif cmd == "open_coordinated":
                sessions[req["session"]] = iter(make_coordinated(req))
                emit({"id": rid, "event": "opened"})
            elif cmd == "take" or cmd == "drain":
                # No local name for the iterator: `close` must drop the last reference to it.
                elements = take(sessions[req["session"]], req.get("count") if cmd == "take" else None,
                                float(req.get("timeout_s", 60)))
                if cmd == "drain":
                    del sessions[req["session"]]
                emit({"id": rid, "event": "result", "elements": elements})
            elif cmd == "close":
                sessions.pop(req["session"], None)
                __import__("gc").collect()
                emit({"id": rid, "event": "closed"})
            elif cmd == "num_tasks":
                emit({"id": rid, "event": "num_tasks", "count": servers[req["address"]]._num_tasks()})
            elif cmd == "journal":
                updates = []
                for record in tf.data.TFRecordDataset(req["path"]):
                    u = Update.FromString(record.numpy())
                    which = u.WhichOneof("update_type")
                    updates.append({"type": which, "value": json_format.MessageToDict(getattr(u, which))})
                emit({"id": rid, "event": "journal", "updates": updates})
            elif cmd == "dataset_file":
                records = [r.numpy() for r in tf.data.TFRecordDataset(req["path"])]
                d = DatasetDef.FromString(records[0])
                emit({"id": rid, "event": "dataset", "records": len(records), "ops": [n.op for n in d.graph.node]})
            elif cmd == "tf_splits":
                emit({"id": rid, "event": "splits", "results": tf_splits(req["graphs"], int(req.get("max_splits", 100)))})
            elif cmd == "tf_dispatcher":
                with lock:
                    d = service.DispatchServer(service.DispatcherConfig(
                        port=0, work_dir=req["work_dir"], fault_tolerant_mode=bool(req.get("fault_tolerant"))))
                    address = d.target.split("://")[1]
                    servers[address] = d
                emit({"id": rid, "event": "dispatcher", "address": address, "num_workers": d._num_workers()})
            else:
                raise ValueError("unknown command %r" % cmd)
        except Exception as e:  # pylint: disable=broad-except
            emit({"id": req.get("id") if isinstance(req, dict) else None, "event": "error",
                  "message": "%s: %s" % (type(e).__name__, e)})
    stop_all()
    os._exit(0)


if __name__ == "__main__":
    main()
