package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// sample is the figures of one workload on one configuration, summed over
// rounds.
type sample struct {
	bytes              int64
	ops                int
	wall               time.Duration
	lats               []time.Duration
	frontCPU, storeCPU time.Duration
	frontHWM, storeHWM int64 // peak RSS during the runs, bytes
}

// merge adds t's figures to s: sums, pooled latencies, highest peaks.
func (s *sample) merge(t *sample) {
	s.bytes += t.bytes
	s.ops += t.ops
	s.wall += t.wall
	s.lats = append(s.lats, t.lats...)
	s.frontCPU += t.frontCPU
	s.storeCPU += t.storeCPU
	s.frontHWM = max(s.frontHWM, t.frontHWM)
	s.storeHWM = max(s.storeHWM, t.storeHWM)
}

// percentile returns the p-th percentile (0 < p ≤ 100) of d by the
// nearest-rank method, or 0 for none.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// mibps is the throughput in MiB/s.
func (s *sample) mibps() float64 { return float64(s.bytes) / (1 << 20) / s.wall.Seconds() }

// perGiB is CPU seconds per GiB moved.
func (s *sample) perGiB(cpu time.Duration) float64 {
	return cpu.Seconds() / (float64(s.bytes) / (1 << 30))
}

// perOp is CPU milliseconds per request.
func (s *sample) perOp(cpu time.Duration) float64 {
	return float64(cpu.Microseconds()) / 1000 / float64(s.ops)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func mib(b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%d", b>>20)
}

// print writes the run's header, one table per workload and the ratios.
func (b *bench) print(out io.Writer, wls []string, started time.Time) {
	fmt.Fprintf(out, "# babelgate benchmark, %s\n\n", started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "machine: %d CPUs (%s), %s, load average at start %s\n", runtime.NumCPU(), cpuModel(), runtime.Version(), loadAvg())
	fmt.Fprintf(out, "command: go run ./test/bench %s\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(out, "rounds: %d interleaved; %d MiB per bulk workload per round; %d requests per latency workload per round\n", b.o.rounds, b.o.mib, b.o.ops)
	fmt.Fprintln(out, "payloads: signed = aws-sdk-go-v2's default over http (x-amz-content-sha256: hex SHA-256), unsigned = UNSIGNED-PAYLOAD (its SwapComputePayloadSHA256ForUnsignedPayloadMiddleware, and the payload hash set before its checksum middleware, which would otherwise sign an UploadPart with a checksum), both checked on the wire first for PutObject and UploadPart; every upload carries the SDK's CRC32")
	fmt.Fprintln(out, "CPU = utime+stime of the process from /proc/PID/stat over the workload's window; RSS = VmHWM reset before each run")
	if !b.hwmOK {
		fmt.Fprintln(out, "note: /proc/PID/clear_refs was refused, so peak RSS is each process's lifetime peak")
	}
	for _, w := range wls {
		wl := workloads[w]
		rows := b.sums[w]
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n## %s (%s)\n\n", wl.title, w)
		unit := "s/GiB"
		if wl.latency {
			unit = "ms/op"
		}
		fmt.Fprintf(out, "| configuration | MiB/s | p50 ms | p99 ms | front CPU %s | MinIO CPU %s | front peak RSS MiB | MinIO peak RSS MiB |\n", unit, unit)
		fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, c := range b.configs {
			s := rows[c.key]
			if s == nil {
				continue
			}
			cpu := s.perGiB
			if wl.latency {
				cpu = s.perOp
			}
			store := "—"
			if c.store != nil {
				store = fmt.Sprintf("%.2f", cpu(s.storeCPU))
			}
			rate := fmt.Sprintf("%.0f", s.mibps())
			if w == "head" {
				rate = "—"
			}
			fmt.Fprintf(out, "| %s | %s | %s | %s | %.2f | %s | %s | %s |\n", c.name, rate, ms(percentile(s.lats, 50)), ms(percentile(s.lats, 99)),
				cpu(s.frontCPU), store, mib(s.frontHWM), mib(s.storeHWM))
		}
	}
	b.printRatios(out, wls)
}

// ratio is one comparison the targets are about: figure f of
// configuration num over that of den, on workload w.
type ratio struct {
	w, what, num, den string
	f                 func(*sample) float64
	target            string
}

func (b *bench) printRatios(out io.Writer, wls []string) {
	front := func(s *sample) float64 { return s.perGiB(s.frontCPU) }
	rate := func(s *sample) float64 { return s.mibps() }
	p50 := func(s *sample) float64 { return float64(percentile(s.lats, 50).Microseconds()) / 1000 }
	var rs []ratio
	for _, w := range wls {
		switch w {
		case "mpu-unsigned", "mpu-signed", "put-1m":
			rs = append(rs,
				ratio{w, "front CPU/GiB", "gw-s3", "vgw-s3", front, "≤ 1.5"},
				ratio{w, "front CPU/GiB", "gw-s3", "proxy", front, ""},
				ratio{w, "front CPU/GiB", "gw-fs", "vgw-posix", front, "≤ 1.0"},
				ratio{w, "front CPU/GiB", "gw-fs-nosync", "vgw-posix", front, "≤ 1.0"},
				ratio{w, "front CPU/GiB", "gw-s3-base", "vgw-s3", front, "≤ 1.5"},
				ratio{w, "front CPU/GiB", "gw-fs-base", "vgw-posix", front, "≤ 1.0"},
				ratio{w, "front CPU/GiB", "gw-s3", "gw-s3-base", front, ""},
				ratio{w, "front CPU/GiB", "gw-fs", "gw-fs-base", front, ""})
		case "get-16m":
			rs = append(rs,
				ratio{w, "MiB/s", "gw-s3", "minio", rate, "≥ 0.9"},
				ratio{w, "MiB/s", "gw-s3-base", "minio", rate, "≥ 0.9"},
				ratio{w, "front CPU/GiB", "gw-fs", "gw-fs-base", front, ""},
				ratio{w, "front CPU/GiB", "gw-s3", "vgw-s3", front, ""},
				ratio{w, "front CPU/GiB", "gw-fs", "vgw-posix", front, ""})
		case "head", "get-4k":
			rs = append(rs, ratio{w, "p50 latency", "gw-s3", "minio", p50, ""},
				ratio{w, "p50 latency", "gw-s3-base", "minio", p50, ""})
		}
	}
	fmt.Fprintf(out, "\n## Ratios\n\n| workload | figure | ratio | value | target (issue 11) |\n|---|---|---|---:|---|\n")
	for _, r := range rs {
		n, d := b.sums[r.w][r.num], b.sums[r.w][r.den]
		if n == nil || d == nil {
			continue
		}
		fmt.Fprintf(out, "| %s | %s | %s ÷ %s | %.2f | %s |\n", r.w, r.what, r.num, r.den, r.f(n)/r.f(d), r.target)
		if r.what == "p50 latency" {
			target := ""
			if r.w == "head" {
				target = "≤ +1 ms"
			}
			fmt.Fprintf(out, "| %s | p50 latency | %s − %s | %+.2f ms | %s |\n", r.w, r.num, r.den, r.f(n)-r.f(d), target)
		}
	}
	for _, k := range workloads["parts-64x16m"].only {
		if s := b.sums["parts-64x16m"][k]; s != nil {
			fmt.Fprintf(out, "| parts-64x16m | front peak RSS | %s | %s MiB | ≤ 100 MiB |\n", k, mib(s.frontHWM))
		}
	}
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
