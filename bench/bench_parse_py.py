#!/usr/bin/python3
"""bench_parse_py.py — the Python comparator of bench/bench_parse.c (run by
bench/run.sh): prometheus_client's text_string_to_metric_families() over the
same captured etcd bodies, every sample consumed, about two seconds per file.
Prints one line like bench-parse's:
  python: X MB/s, Y samples/s, Z scrapes/s (total: N files, B bytes; prometheus_client V)
or, without the module, a line saying it is missing (Debian: python3-prometheus-client)."""
import glob
import sys
import time

try:
    from prometheus_client.parser import text_string_to_metric_families
    import prometheus_client
except ImportError:
    print("python: prometheus_client missing (Debian package python3-prometheus-client)")
    sys.exit(0)

files = sys.argv[1:] or sorted(glob.glob("tests/data/etcd-3.4-*.metrics"))
tot_bytes = tot_samples = tot_scrapes = tot_secs = size = 0
for path in files:
    with open(path, encoding="utf-8") as f:
        body = f.read()
    nbytes = len(body.encode("utf-8"))
    scrapes = samples = 0
    t0 = time.perf_counter()
    while True:
        for fam in text_string_to_metric_families(body):
            samples += len(fam.samples)
        scrapes += 1
        t = time.perf_counter() - t0
        if t >= 2.0:
            break
    tot_bytes += nbytes * scrapes
    tot_samples += samples
    tot_scrapes += scrapes
    tot_secs += t
    size += nbytes
version = getattr(prometheus_client, "__version__", "")
if not version:
    try:
        from importlib.metadata import version as _v
        version = _v("prometheus_client")
    except Exception:  # noqa: BLE001 - the version is only a label
        version = "?"
print("python: %.1f MB/s, %.0f samples/s, %.1f scrapes/s (total: %d files, %d bytes; "
      "prometheus_client %s)" % (tot_bytes / tot_secs / 1e6, tot_samples / tot_secs,
                                 tot_scrapes / tot_secs, len(files), size, version))
