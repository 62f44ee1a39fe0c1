package backends

import (
	"sync"
	"testing"
	"time"
)

// TestStamps: stamps follow the clock, strictly increase when it stands
// still or steps back, and stay distinct across goroutines.
func TestStamps(t *testing.T) {
	clock := time.Unix(1000, 0)
	s := &Stamps{Now: func() time.Time { return clock }}
	steps := []struct {
		name  string
		clock time.Time
		want  int64
	}{
		{"follows the clock", time.Unix(1000, 0), 1000e9},
		{"clock stands still", time.Unix(1000, 0), 1000e9 + 1},
		{"clock steps back", time.Unix(999, 0), 1000e9 + 2},
		{"clock moves past", time.Unix(1001, 0), 1001e9},
	}
	for _, st := range steps {
		clock = st.clock
		if got := s.Next(); got != st.want {
			t.Fatalf("%s: Next = %d, want %d", st.name, got, st.want)
		}
	}

	var shared Stamps
	const goroutines, each = 8, 1000
	seen := make(chan int64, goroutines*each)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				seen <- shared.Next()
			}
		})
	}
	wg.Wait()
	close(seen)
	distinct := map[int64]bool{}
	for v := range seen {
		distinct[v] = true
	}
	if len(distinct) != goroutines*each {
		t.Fatalf("%d distinct stamps of %d", len(distinct), goroutines*each)
	}
}
