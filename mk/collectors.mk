# Collectors area: the Prometheus collection benchmark (not part of `make test`).
# Generates a 1,000-workload x 14-day TSDB once (cached in /tmp), then prints the figures.
.PHONY: bench-collectors
bench-collectors: $(STAMP)
	$(BIN)/python bench/collect_prometheus.py $(BENCH_ARGS)
