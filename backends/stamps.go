package backends

import (
	"sync/atomic"
	"time"
)

// Stamps hands out begin stamps: the wall clock in Unix nanoseconds, or
// one more than the last stamp handed out when the clock has not moved
// past it (a coarse clock, or one stepped back). Within one process the
// stamps of one Stamps strictly increase, so a write begun after another
// has begun always orders after it. The zero value is ready to use; Next
// is safe for concurrent use.
type Stamps struct {
	// Now is the clock; nil means time.Now. Tests set it while no Next
	// call runs.
	Now  func() time.Time
	last atomic.Int64
}

// Next returns the next stamp.
func (s *Stamps) Next() int64 {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	for {
		last, t := s.last.Load(), now().UnixNano()
		if t <= last {
			t = last + 1
		}
		if s.last.CompareAndSwap(last, t) {
			return t
		}
	}
}
