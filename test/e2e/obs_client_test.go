package e2e

import (
	"context"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// obsDomain is the OBS dialect's virtual-host domain in the OBS suites.
const obsDomain = "obs.babelgate.test"

// withOBSDomain configures the OBS dialect's domain.
func withOBSDomain() gatewayOption {
	return withConfig("dialects:\n  obs:\n    domains: [" + obsDomain + "]\n")
}

// obsDefaultClient returns the OBS Go SDK at its defaults pointed at the
// gateway's IP address: path style and AWS SigV2 (protocols.md §3.8), so
// the S3 dialect serves it.
// A non-nil rt is the SDK's HTTP transport.
func (g *gateway) obsDefaultClient(t testing.TB, ak, sk string, rt http.RoundTripper) *obs.ObsClient {
	t.Helper()
	var c *obs.ObsClient
	var err error
	if rt != nil {
		c, err = obs.New(ak, sk, g.URL, obs.WithHttpClient(&http.Client{Transport: rt}))
	} else {
		c, err = obs.New(ak, sk, g.URL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// obsHostClient returns the OBS Go SDK with signature sig and the host name
// obsDomain (virtual-hosted addressing), whose transport connects every
// host to the gateway. wrap, when set, wraps that transport.
func (g *gateway) obsHostClient(t testing.TB, ak, sk string, sig obs.SignatureType, wrap func(http.RoundTripper) http.RoundTripper) *obs.ObsClient {
	t.Helper()
	dialer := &net.Dialer{}
	var rt http.RoundTripper = &http.Transport{MaxIdleConnsPerHost: 16,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, g.Addr)
		}}
	if wrap != nil {
		rt = wrap(rt)
	}
	_, port, _ := splitHostPort(g.Addr)
	c, err := obs.New(ak, sk, "http://"+obsDomain+":"+port, obs.WithSignature(sig),
		obs.WithHttpClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// obsCode returns the OBS error code of err, or "".
func obsCode(err error) string {
	if e, ok := err.(obs.ObsError); ok {
		return e.Code
	}
	return ""
}

// obsStatus returns the HTTP status of an OBS SDK error, or 0.
func obsStatus(err error) int {
	if e, ok := err.(obs.ObsError); ok {
		return e.StatusCode
	}
	return 0
}

// countLog counts the gateway's request-log lines holding every fragment.
func countLog(log string, fragments ...string) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		all := true
		for _, f := range fragments {
			if !strings.Contains(line, f) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

func obsMustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obsItoa(n int) string { return strconv.Itoa(n) }
