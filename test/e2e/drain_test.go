package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestSIGTERMDrainsInFlight sends SIGTERM while an upload is half sent: the
// gateway stops accepting but finishes the request before it exits.
func TestSIGTERMDrainsInFlight(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("drain")}); err != nil {
		t.Fatal(err)
	}
	const size = 4 << 20
	data := randomBytes(size, 21)
	held := holdPutAs(t, g, adminAK, adminSK, "drain", "obj", data)
	exited := make(chan error, 1)
	cmd := g.cmd
	cmd.Process.Signal(syscall.SIGTERM)
	go func() { exited <- cmd.Wait() }()
	// The rest of the body is sent only once the gateway is draining: it
	// has logged so and closed its listener (a new connection is refused).
	// The minute is a guard, never a result.
	for guard := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("gateway exited with a request in flight: %v", err)
		default:
		}
		if logHas(g.Log(), "draining in-flight requests") && !accepting(g.Addr) {
			break
		}
		if time.Now().After(guard) {
			t.Fatal("the gateway did not start draining within a minute of SIGTERM")
		}
	}
	if r := held.finish(t); r.err != nil || r.status != http.StatusOK {
		t.Fatalf("in-flight upload during shutdown: status %d, %v %s", r.status, r.err, r.body)
	}
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("gateway did not exit within a minute of draining")
	}
	g.cmd = nil
	g.Restart()
	h, err := g.s3Client(t, adminAK, adminSK, false).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("drain"), Key: aws.String("obj")})
	if err != nil || aws.ToInt64(h.ContentLength) != size || aws.ToString(h.ETag) != fmt.Sprintf("%q", md5hex(data)) {
		t.Fatalf("object written during shutdown: %+v, %v", h, err)
	}
}

// accepting reports whether a TCP connection to addr is accepted.
func accepting(addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
