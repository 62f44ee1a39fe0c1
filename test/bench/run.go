package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The one credential every server is started with and every client uses.
const (
	accessKey = "benchaccesskey000001"
	secretKey = "benchSecretKey00000000000000000000000001"
)

// config is one configuration under test: the process clients talk to
// (front) and, when it sits on MinIO, the MinIO behind it (store).
type config struct {
	key, name string
	front     *server
	store     *server // nil when front is the store itself or none is used
	bucket    string
	ossFront  bool // speaks OSS (babelgate)
}

// configKeys lists the configurations in their printing order; the
// default run measures all but the opt-in ones (optInKeys).
func configKeys() []string {
	return []string{"gw-s3", "minio", "proxy", "vgw-s3", "gw-fs", "gw-fs-nosync", "vgw-posix"}
}

// optInKeys are configurations run only when -configs names them.
var optInKeys = []string{"gw-fs-nosync"}

// defaultConfigKeys are the configurations a run measures by default.
func defaultConfigKeys() []string {
	return slices.DeleteFunc(configKeys(), func(k string) bool { return slices.Contains(optInKeys, k) })
}

var configNames = map[string]string{
	"gw-s3":  "babelgate, s3 backend → MinIO",
	"minio":  "MinIO direct",
	"proxy":  "Go reverse proxy → MinIO",
	"vgw-s3": "versitygw 1.8.0 S3 proxy → MinIO",
	"gw-fs":  "babelgate, fs backend",
	// versitygw's posix backend never fsyncs (v1.8.0 backend/posix has no
	// Sync call); babelgate's fs does by default (fsync: true).
	"gw-fs-nosync": "babelgate, fs backend with fsync: false (like versitygw posix)",
	"vgw-posix":    "versitygw 1.8.0 posix",
	"gw-s3-base":   "baseline babelgate (-baseline), s3 backend → MinIO",
	"gw-fs-base":   "baseline babelgate (-baseline), fs backend",
}

// bench is one run: its servers, configurations and figures.
type bench struct {
	o       options
	dir     string
	servers []*server
	configs []*config
	sums    map[string]map[string]*sample // workload → config → summed figures
	hwmOK   bool
}

// run starts what the selected configurations need, runs the interleaved
// rounds, prints the tables and stops every server it started.
func run(ctx context.Context, o options, out io.Writer) error {
	keys, err := pick(o.configs, configKeys())
	if err != nil {
		return fmt.Errorf("-configs: %w", err)
	}
	if o.baseline != "" {
		// Each baseline follows its counterpart, so a round runs them
		// back to back.
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i] == "gw-s3" || keys[i] == "gw-fs" {
				keys = slices.Insert(keys, i+1, keys[i]+"-base")
			}
		}
	}
	wls, err := pick(o.workloads, workloadKeys())
	if err != nil {
		return fmt.Errorf("-workloads: %w", err)
	}
	if o.rounds < 1 || o.mib < 1 || o.ops < 1 || o.ossMiB < 1 {
		return fmt.Errorf("-rounds, -mib, -ops and -oss-mib must be positive")
	}
	// A machine-wide CA bundle is no business of loopback http servers;
	// versitygw's S3 backend refuses to start with one and a custom client.
	os.Unsetenv("AWS_CA_BUNDLE")
	dir, err := os.MkdirTemp("", "babelgate-bench-")
	if err != nil {
		return err
	}
	b := &bench{o: o, dir: dir, sums: map[string]map[string]*sample{}, hwmOK: true}
	defer func() {
		b.stopAll()
		if o.keep {
			fmt.Fprintln(os.Stderr, "bench: work directory kept:", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	started := time.Now()
	if err := b.start(ctx, keys); err != nil {
		return err
	}
	cl := newClients()
	if err := cl.checkPayloadModes(ctx, b.configs[0]); err != nil {
		return err
	}
	for _, c := range b.configs {
		if err := cl.setup(ctx, c); err != nil {
			return fmt.Errorf("%s: setup: %w", c.name, err)
		}
	}
	for r := range o.rounds {
		for _, w := range wls {
			wl := workloads[w]
			for i := range b.configs {
				// Rotate the order each round so no configuration always runs
				// first after a workload change.
				c := b.configs[(i+r)%len(b.configs)]
				if wl.ossOnly && (!c.ossFront || c.store == nil) || wl.only != nil && !slices.Contains(wl.only, c.key) {
					continue
				}
				fmt.Fprintf(os.Stderr, "bench: round %d/%d %s on %s\n", r+1, o.rounds, w, c.key)
				s, err := b.measure(ctx, c, func(ctx context.Context) (*sample, error) { return wl.run(cl, ctx, c, o) })
				if err != nil {
					return fmt.Errorf("round %d, %s on %s: %w", r+1, w, c.name, err)
				}
				b.add(w, c.key, s)
			}
		}
	}
	b.print(out, wls, started)
	return nil
}

// pick parses a comma-separated selection out of all, keeping all's order.
func pick(sel string, all []string) ([]string, error) {
	want := strings.Split(sel, ",")
	for _, w := range want {
		if !slices.Contains(all, strings.TrimSpace(w)) {
			return nil, fmt.Errorf("unknown %q (have %s)", w, strings.Join(all, ", "))
		}
	}
	var out []string
	for _, a := range all {
		for _, w := range want {
			if strings.TrimSpace(w) == a {
				out = append(out, a)
				break
			}
		}
	}
	return out, nil
}

// start builds the gateway and starts the servers the configurations need.
func (b *bench) start(ctx context.Context, keys []string) error {
	needs := func(k ...string) bool {
		for _, x := range k {
			if slices.Contains(keys, x) {
				return true
			}
		}
		return false
	}
	var minio *server
	if needs("gw-s3", "gw-s3-base", "minio", "proxy", "vgw-s3") {
		bin, err := installed("BABELGATE_MINIO", "install-minio.sh")
		if err != nil {
			return err
		}
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		minio, err = b.startServer(ctx, "minio", addr, bin,
			[]string{"server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", filepath.Join(b.dir, "minio-data")},
			[]string{"MINIO_ROOT_USER=" + accessKey, "MINIO_ROOT_PASSWORD=" + secretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off", "CI=true"},
			httpReady("/minio/health/ready"))
		if err != nil {
			return err
		}
	}
	var gw, vgw string
	if gw = b.o.gateway; gw == "" && needs("gw-s3", "gw-fs", "gw-fs-nosync") {
		gw = filepath.Join(b.dir, "babelgate")
		build := exec.CommandContext(ctx, "go", "build", "-o", gw, "./cmd/babelgate")
		build.Dir = repoRoot()
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the gateway: %w", err)
		}
	}
	if needs("vgw-s3", "vgw-posix") {
		var err error
		if vgw, err = installed("BABELGATE_VERSITYGW", "install-versitygw.sh"); err != nil {
			return err
		}
	}
	for _, k := range keys {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		c := &config{key: k, name: configNames[k], bucket: "bench-" + k}
		switch k {
		case "minio":
			c.front = minio
		case "gw-s3", "gw-fs", "gw-fs-nosync", "gw-s3-base", "gw-fs-base":
			bin := gw
			if strings.HasSuffix(k, "-base") {
				bin = b.o.baseline
			}
			backend := fmt.Sprintf("backends:\n  - {name: local, type: fs, options: {root: %q, fsync: %t}}\n", filepath.Join(b.dir, k+"-data"), k != "gw-fs-nosync")
			if strings.HasPrefix(k, "gw-s3") {
				backend = fmt.Sprintf(`backends:
  - name: minio
    type: s3
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 120s, connect_timeout: 5s, retries: 1}
`, minio.endpoint(), accessKey, secretKey)
				c.store = minio
			}
			cfgPath := filepath.Join(b.dir, k+".yaml")
			if err := os.WriteFile(cfgPath, []byte(gatewayConfig(addr, backend)), 0o600); err != nil {
				return err
			}
			c.ossFront = true
			c.front, err = b.startServer(ctx, k, addr, bin, []string{"serve", "--config", cfgPath}, nil, httpReady("/"))
		case "proxy":
			self, err2 := os.Executable()
			if err2 != nil {
				return err2
			}
			c.store = minio
			c.front, err = b.startServer(ctx, k, addr, self, []string{"-proxy-listen", addr, "-proxy-to", minio.endpoint()}, nil, httpReady("/"))
		case "vgw-s3":
			c.store = minio
			c.front, err = b.startServer(ctx, k, addr, vgw, []string{"--access", accessKey, "--secret", secretKey, "--port", addr, "--quiet",
				"s3", "--access", accessKey, "--secret", secretKey, "--endpoint", minio.endpoint(), "--use-path-style", "--disable-checksum", "--disable-data-integrity-check"}, nil, httpReady("/"))
		case "vgw-posix":
			root := filepath.Join(b.dir, "vgw-posix-data")
			if err := os.MkdirAll(root, 0o700); err != nil {
				return err
			}
			c.front, err = b.startServer(ctx, k, addr, vgw, []string{"--access", accessKey, "--secret", secretKey, "--port", addr, "--quiet",
				"posix", root}, nil, httpReady("/"))
		}
		if err != nil {
			return err
		}
		b.configs = append(b.configs, c)
	}
	return nil
}

func (b *bench) startServer(ctx context.Context, name, addr, bin string, args, env []string, ready func(context.Context, string) bool) (*server, error) {
	s, err := startServer(ctx, name, b.dir, addr, bin, args, env, ready)
	if err != nil {
		return nil, err
	}
	b.servers = append(b.servers, s)
	return s, nil
}

// stopAll stops every server, fronts first, MinIO last.
func (b *bench) stopAll() {
	for i := len(b.servers) - 1; i >= 0; i-- {
		b.servers[i].stop()
	}
	b.servers = nil
}

// gatewayConfig is a babelgate config on addr with the given backends.
func gatewayConfig(addr, backends string) string {
	return fmt.Sprintf(`version: 1
server:
  listen: %s
  upload_id_secret: bench-upload-id-secret-0123456789
  shutdown_timeout: 10s
log: {level: warn, format: json}
users:
  - {access_key: %s, secret_key: %s, buckets: [{name: "*", access: readwrite}]}
%s`, addr, accessKey, secretKey, backends)
}

// measure runs fn against c and takes the process figures around it.
func (b *bench) measure(ctx context.Context, c *config, fn func(context.Context) (*sample, error)) (*sample, error) {
	procs := []*server{c.front}
	if c.store != nil {
		procs = append(procs, c.store)
	}
	before := make([]time.Duration, len(procs))
	for i, p := range procs {
		if !resetHWM(p.pid()) {
			b.hwmOK = false
		}
		cpu, err := readCPU(p.pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		before[i] = cpu
	}
	start := time.Now()
	s, err := fn(ctx)
	if err != nil {
		return nil, err
	}
	s.wall = time.Since(start)
	for i, p := range procs {
		cpu, err := readCPU(p.pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		hwm, err := readHWM(p.pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		if i == 0 {
			s.frontCPU, s.frontHWM = cpu-before[i], hwm
		} else {
			s.storeCPU, s.storeHWM = cpu-before[i], hwm
		}
	}
	return s, nil
}

// add sums s into the figures of workload w on configuration c.
func (b *bench) add(w, c string, s *sample) {
	if b.sums[w] == nil {
		b.sums[w] = map[string]*sample{}
	}
	if t := b.sums[w][c]; t != nil {
		t.merge(s)
		return
	}
	b.sums[w][c] = s
}
