package s3

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/translate"
)

// BenchmarkKeptPut measures what a PutObject with a CRC-64/ECMA (which
// MinIO does not keep) costs the store, per object size, when the value is
// kept by a metadata update (a copy onto itself) and when it is kept in an
// annex: MinIO's CPU per PutObject (utime+stime from /proc) as
// minio-cpu-ms/op. It is what metadataUpdateMaxSize rests on:
//
//	go test ./backends/s3 -run '^$' -bench KeptPut -benchtime 200x
func BenchmarkKeptPut(b *testing.B) {
	m := minio.Start(b)
	pid := minioPID(b, m.Endpoint)
	o := DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = m.Endpoint, minio.AccessKey, minio.SecretKey, true
	o.RequestTimeout = 30 * time.Second
	d, err := newDriver(*o)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, size := range []int{4 << 10, 128 << 10, 1 << 20, 16 << 20} {
		for _, update := range []bool{true, false} {
			ab := d.Abilities()
			ab.MetadataUpdate, ab.MetadataUpdateMaxSize = update, 0
			kit, err := storekit.New(declaring{d, ab}, o.Kit())
			if err != nil {
				b.Fatal(err)
			}
			bucket := fmt.Sprintf("bench-%d-%v", size, update)
			if err := kit.CreateBucket(ctx, bucket); err != nil {
				b.Fatal(err)
			}
			data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
			name := map[bool]string{true: "update", false: "annex"}[update]
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, name), func(b *testing.B) {
				b.SetBytes(int64(size))
				before := procCPU(b, pid)
				for i := 0; i < b.N; i++ {
					if _, err := kit.PutObject(ctx, bucket, fmt.Sprint("k", i%16), translate.BytesBody(data, translate.CRC64ECMA), translate.Metadata{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((procCPU(b, pid)-before).Seconds()*1000/float64(b.N), "minio-cpu-ms/op")
			})
			kit.Close()
		}
	}
}

// declaring is a driver declaring other abilities.
type declaring struct {
	*driver
	ab storekit.Abilities
}

func (d declaring) Abilities() storekit.Abilities { return d.ab }

// minioPID finds the MinIO process serving endpoint.
func minioPID(b *testing.B, endpoint string) int {
	port := endpoint[strings.LastIndex(endpoint, ":")+1:]
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if s := string(cmd); strings.Contains(s, "minio") && strings.Contains(s, ":"+port) {
			return pid
		}
	}
	b.Fatalf("no MinIO process listens on %s", endpoint)
	return 0
}

// procCPU is the process's utime+stime (/proc/PID/stat, fields 14 and 15,
// in clock ticks of 1/100 s).
func procCPU(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}
