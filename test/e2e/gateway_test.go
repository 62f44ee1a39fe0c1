package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Test users: admin may use every bucket; alice and bob only their own
// (alice-*, bob-*) and read the shared one.
const (
	adminAK, adminSK = "ADMINKEYEXAMPLE00001", "adminSecretKeyExample0000000000000000001"
	aliceAK, aliceSK = "ALICEKEYEXAMPLE00001", "aliceSecretKeyExample0000000000000000001"
	bobAK, bobSK     = "BOBKEYEXAMPLE0000001", "bobSecretKeyExample000000000000000000001"
	testDomain       = "s3.babelgate.test"
)

var (
	binary   string // the gateway built once for the whole run
	certFile string
	keyFile  string
	certPool *x509.CertPool
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// The machine's CA bundle (if any) is not what the gateway's test
	// certificate is signed with; clients get the test pool explicitly.
	os.Unsetenv("AWS_CA_BUNDLE")
	dir, err := os.MkdirTemp("", "babelgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "babelgate")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/babelgate")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the gateway:", err)
		return 1
	}
	if err := writeCert(dir); err != nil {
		fmt.Fprintln(os.Stderr, "making a test certificate:", err)
		return 1
	}
	return m.Run()
}

// writeCert makes a self-signed certificate for 127.0.0.1, localhost and the
// test domain (and its subdomains), and a pool that trusts it.
func writeCert(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "babelgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames:    []string{"localhost", testDomain, "*." + testDomain},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	certPool = x509.NewCertPool()
	certPool.AddCert(cert)
	return nil
}

// gateway is one running babelgate process.
type gateway struct {
	t        testing.TB
	TLS      bool
	Dir      string // data and config directory
	URL      string // http(s)://127.0.0.1:port
	Addr     string // 127.0.0.1:port
	cmd      *exec.Cmd
	logPath  string
	extra    string
	backends string
	server   string // more lines of the server section (withServer)
}

// gatewayOption changes how a gateway is started.
type gatewayOption func(*gateway)

// withTLS serves HTTPS with the test certificate.
func withTLS() gatewayOption { return func(g *gateway) { g.TLS = true } }

// withBackends replaces the config's backends section (an fs backend named
// local) with YAML that starts at "backends:".
func withBackends(yaml string) gatewayOption { return func(g *gateway) { g.backends = yaml } }

// withConfig appends YAML to the dialects section of the config.
func withConfig(yaml string) gatewayOption { return func(g *gateway) { g.extra = yaml } }

// startGateway starts a gateway with a fresh data directory; it is stopped
// when the test ends.
func startGateway(t testing.TB, opts ...gatewayOption) *gateway {
	t.Helper()
	g := &gateway{t: t, Dir: t.TempDir()}
	for _, o := range opts {
		o(g)
	}
	g.writeConfig("127.0.0.1:0")
	g.start()
	t.Cleanup(g.Stop)
	return g
}

func (g *gateway) writeConfig(listen string) {
	tlsBlock := ""
	if g.TLS {
		tlsBlock = fmt.Sprintf("  tls: {cert: %q, key: %q}\n", certFile, keyFile)
	}
	cfg := fmt.Sprintf(`version: 1
server:
  listen: %s
  domains: [%s]
  upload_id_secret: e2e-upload-id-secret-0123456789
  shutdown_timeout: 10s
%s%slog: {level: info, format: json}
users:
  - {access_key: %s, secret_key: %s, buckets: [{name: "*", access: readwrite}]}
  - access_key: %s
    secret_key: ${E2E_ALICE_SECRET}
    buckets: [{name: "alice-*", access: readwrite}, {name: shared, access: read}]
  - {access_key: %s, secret_key: %s, buckets: [{name: "bob-*", access: readwrite}, {name: shared, access: read}]}
%s
%s`, listen, testDomain, tlsBlock, g.server, adminAK, adminSK, aliceAK, bobAK, bobSK, g.backendsYAML(), g.extra)
	if err := os.WriteFile(filepath.Join(g.Dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gateway) backendsYAML() string {
	if g.backends != "" {
		return g.backends
	}
	return fmt.Sprintf("backends:\n  - {name: local, type: fs, options: {root: %q}}", filepath.Join(g.Dir, "data"))
}

// start runs the process and waits for its start-up log event
// ("babelgate listening", with the URL), which goes to stderr with the
// rest of the log. stderr is the log file itself, so it is complete
// whenever the process is gone; stdout reaching EOF tells that the process
// exited.
func (g *gateway) start() {
	g.t.Helper()
	g.logPath = filepath.Join(g.Dir, "gateway.log")
	logf, err := os.OpenFile(g.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		g.t.Fatal(err)
	}
	st, err := logf.Stat()
	if err != nil {
		g.t.Fatal(err)
	}
	offset := st.Size() // a restart appends: look only at what follows
	cmd := exec.Command(binary, "serve", "--config", filepath.Join(g.Dir, "config.yaml"))
	cmd.Env = append(os.Environ(), "E2E_ALICE_SECRET="+aliceSK)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		g.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	logf.Close()
	g.cmd = cmd
	exited := make(chan struct{})
	go func() {
		io.Copy(io.Discard, out)
		close(exited)
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(30 * time.Second)
	for {
		if url := startupURL(g.Log()[offset:]); url != "" {
			g.URL = url
			g.Addr = strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
			break
		}
		select {
		case <-exited:
			if startupURL(g.Log()[offset:]) != "" {
				continue
			}
			g.t.Fatalf("gateway exited before listening; log:\n%s", g.Log())
		case <-timeout:
			g.t.Fatalf("gateway did not start in 30s; log:\n%s", g.Log())
		case <-tick.C:
		}
	}
	// Later restarts reuse the same port so clients keep their endpoint.
	g.writeConfig(g.Addr)
}

// startupURL returns the URL of the first start-up event in log, or "".
func startupURL(log string) string {
	for _, line := range strings.Split(log, "\n") {
		var ev struct{ Msg, URL string }
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Msg == "babelgate listening" && ev.URL != "" {
			return ev.URL
		}
	}
	return ""
}

// Log returns what the gateway logged so far.
func (g *gateway) Log() string {
	b, _ := os.ReadFile(g.logPath)
	return string(b)
}

// Stop sends SIGTERM and waits for a graceful exit.
func (g *gateway) Stop() {
	if g.cmd == nil {
		return
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- g.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		g.cmd.Process.Kill()
		<-done
		g.t.Errorf("gateway did not stop on SIGTERM within 15s")
	}
	g.cmd = nil
}

// Kill stops the gateway with SIGKILL, as a crash would.
func (g *gateway) Kill() {
	g.cmd.Process.Kill()
	g.cmd.Wait()
	g.cmd = nil
}

// Restart starts the gateway again on the same port and data.
func (g *gateway) Restart() {
	g.t.Helper()
	g.start()
}

// PID returns the gateway's process ID.
func (g *gateway) PID() int { return g.cmd.Process.Pid }

// HTTPClient returns a client that trusts the test certificate and, when
// virtual is set, connects every host name to the gateway (so that
// bucket.<testDomain> reaches it).
func (g *gateway) HTTPClient(virtual bool) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: certPool}, MaxIdleConnsPerHost: 16}
	if virtual {
		dialer := &net.Dialer{}
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, g.Addr)
		}
	}
	return &http.Client{Transport: tr}
}

func splitHostPort(hp string) (string, string, error) { return net.SplitHostPort(hp) }

// logHas reports whether one log line contains every fragment.
func logHas(log string, fragments ...string) bool { return countLog(log, fragments...) > 0 }

// overHTTPAndTLS runs fn as the subtests "http" and "https", each on a
// gateway of its own started with opts (plus TLS for "https").
func overHTTPAndTLS(t *testing.T, fn func(t *testing.T, name string, g *gateway), opts ...gatewayOption) {
	t.Helper()
	for _, name := range []string{"http", "https"} {
		t.Run(name, func(t *testing.T) {
			o := opts
			if name == "https" {
				o = append(append([]gatewayOption(nil), opts...), withTLS())
			}
			fn(t, name, startGateway(t, o...))
		})
	}
}
