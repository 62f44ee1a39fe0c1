// Command bench measures what a byte costs through babelgate, side by side
// with its peers on one machine: MinIO direct, a plain Go reverse proxy
// onto MinIO (the floor for any front), versitygw as an S3 proxy onto the
// same MinIO and with its posix backend, and babelgate with its s3 backend
// onto MinIO and its fs backend.
//
//	go run ./test/bench                  # every configuration and workload, a few minutes on 2 cores
//	go run ./test/bench -mib 32 -rounds 1 -configs gw-s3,vgw-s3
//	go run ./test/bench -gateway /tmp/babelgate-main   # measure another build (before/after)
//
// It builds the gateway, starts every server on 127.0.0.1 (MinIO from
// $BABELGATE_MINIO or test/scripts/install-minio.sh, versitygw from
// $BABELGATE_VERSITYGW or test/scripts/install-versitygw.sh, the reverse
// proxy as a second process of this same binary), drives them with
// aws-sdk-go-v2 and aliyun-oss-go-sdk, and prints Markdown tables: per
// workload and configuration the throughput, the latency p50/p99 per
// operation, the CPU seconds (utime+stime from /proc/PID/stat) per GiB of
// the front process and of MinIO behind it, and their peak RSS (VmHWM,
// reset before each run); then the ratios the project's targets are about.
// Runs of the configurations are interleaved (A B C, A B C, ...) so that
// noise from other work on the machine falls on all of them alike. Every
// loop is bounded, the whole run has a deadline (-timeout), and every
// server it started is stopped before it exits, also on SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are the command's flags.
type options struct {
	configs   string
	workloads string
	rounds    int
	mib       int // MiB per bulk workload, configuration and round
	ops       int // operations per latency workload, configuration and round
	ossMiB    int
	timeout   time.Duration
	keep      bool
	gateway   string // a prebuilt babelgate binary; empty: build this tree's
	baseline  string // another babelgate binary measured beside it (gw-*-base)
}

func main() {
	// The reverse proxy runs as a second process of this binary so that its
	// CPU is counted apart from the load generator's.
	proxyTo := flag.String("proxy-to", "", "internal: serve a reverse proxy onto this URL")
	proxyListen := flag.String("proxy-listen", "", "internal: the reverse proxy's listen address")
	var o options
	flag.StringVar(&o.configs, "configs", strings.Join(defaultConfigKeys(), ","), "configurations to run, comma-separated (also: "+strings.Join(optInKeys, ",")+")")
	flag.StringVar(&o.workloads, "workloads", strings.Join(workloadKeys(), ","), "workloads to run, comma-separated")
	flag.IntVar(&o.rounds, "rounds", 2, "interleaved rounds; figures are summed over them")
	flag.IntVar(&o.mib, "mib", 128, "MiB moved per bulk workload, configuration and round")
	flag.IntVar(&o.ops, "ops", 200, "requests per latency workload (HEAD, 4 KiB GET), configuration and round")
	flag.IntVar(&o.ossMiB, "oss-mib", 16, "MiB uploaded in 100 KiB OSS parts per round")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "deadline of the whole run")
	flag.StringVar(&o.gateway, "gateway", "", "a prebuilt babelgate binary to measure (default: build ./cmd/babelgate of this tree)")
	flag.StringVar(&o.baseline, "baseline", "", "another babelgate binary (say main's) measured in the same run as gw-s3-base and gw-fs-base, for before/after")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (data and server logs)")
	flag.Parse()
	if *proxyTo != "" {
		if err := serveProxy(*proxyListen, *proxyTo); err != nil {
			fmt.Fprintln(os.Stderr, "bench proxy:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	err := run(ctx, o, os.Stdout)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
