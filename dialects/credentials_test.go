package dialects

import (
	"fmt"
	"sync"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

func credSet(gen int, keys ...string) StaticCredentials {
	c := StaticCredentials{}
	for _, k := range keys {
		c[k] = StaticUser{Secret: fmt.Sprintf("secret-%d", gen),
			Principal: &translate.Principal{AccessKey: k, Grants: []translate.Grant{{Pattern: fmt.Sprintf("bucket-%d", gen), Access: translate.AccessRead}}}}
	}
	return c
}

// TestSwappableCredentials checks that a swap adds, removes and changes
// users at once, and that concurrent lookups (run with -race) always see
// one whole set: a secret and a principal of the same generation.
func TestSwappableCredentials(t *testing.T) {
	var zero SwappableCredentials
	if _, _, ok := zero.Lookup("AK"); ok {
		t.Fatal("the zero value knows a key")
	}
	c := NewSwappableCredentials(credSet(0, "alice", "bob"))
	for _, tt := range []struct {
		set     StaticCredentials
		key     string
		wantOK  bool
		wantSec string
	}{
		{credSet(0, "alice", "bob"), "alice", true, "secret-0"},
		{credSet(1, "alice", "carol"), "carol", true, "secret-1"}, // added
		{credSet(1, "alice", "carol"), "bob", false, ""},          // removed
		{credSet(2, "alice"), "alice", true, "secret-2"},          // changed
	} {
		c.Swap(tt.set)
		sec, p, ok := c.Lookup(tt.key)
		if ok != tt.wantOK || sec != tt.wantSec || (ok && p.AccessKey != tt.key) {
			t.Fatalf("Lookup(%q) = %q, %v, %v; want %q, %v", tt.key, sec, p, ok, tt.wantSec, tt.wantOK)
		}
	}
	if old := c.Swap(credSet(3)); len(old) != 1 || old["alice"].Secret != "secret-2" {
		t.Fatalf("Swap returned %v, want the previous set", old)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	bad := make(chan string, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				sec, p, ok := c.Lookup("alice")
				if !ok {
					continue // a generation without alice
				}
				var gen int
				fmt.Sscanf(sec, "secret-%d", &gen)
				if p.Grants[0].Pattern != fmt.Sprintf("bucket-%d", gen) {
					bad <- fmt.Sprintf("secret %q with grant %q", sec, p.Grants[0].Pattern)
					return
				}
			}
		}()
	}
	for gen := 4; gen < 500; gen++ {
		if gen%3 == 0 {
			c.Swap(credSet(gen, "bob"))
		} else {
			c.Swap(credSet(gen, "alice", "bob"))
		}
	}
	close(stop)
	wg.Wait()
	close(bad)
	for msg := range bad {
		t.Errorf("a lookup mixed two sets: %s", msg)
	}
}
