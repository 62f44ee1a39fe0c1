package translate

import (
	"strconv"
	"strings"
	"time"
)

// ParseRange resolves an HTTP Range header value against an object size,
// as S3 does: a single "bytes=first-last", "bytes=first-" or "bytes=-suffix"
// range. It returns nil (the whole object) for an empty or syntactically
// invalid header or for several ranges, which S3 ignores, and
// ErrInvalidRange for a range that is valid but not satisfiable.
func ParseRange(spec string, size int64) (*Range, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || !strings.HasPrefix(spec, "bytes=") {
		return nil, nil
	}
	r := strings.TrimSpace(strings.TrimPrefix(spec, "bytes="))
	if strings.Contains(r, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(r, "-")
	if !ok {
		return nil, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	unsatisfiable := &Error{Code: ErrInvalidRange, Message: "The requested range is not satisfiable",
		Extra: map[string]string{"RangeRequested": spec, "ActualObjectSize": strconv.FormatInt(size, 10)}}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return nil, nil
		}
		if n == 0 || size == 0 {
			return nil, unsatisfiable
		}
		if n > size {
			n = size
		}
		return &Range{Start: size - n, Length: n}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return nil, nil
	}
	end := size - 1
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err != nil || e < start {
			return nil, nil
		}
		if e < end {
			end = e
		}
	}
	if start >= size {
		return nil, unsatisfiable
	}
	return &Range{Start: start, Length: end - start + 1}, nil
}

// ParseCopyRange parses x-amz-copy-source-range ("bytes=first-last", both
// required) against the source size. Unlike Range, a malformed or
// unsatisfiable value is an error (InvalidArgument, both).
func ParseCopyRange(spec string, size int64) (*Range, error) {
	if spec == "" {
		return nil, nil
	}
	bad := &Error{Code: ErrInvalidArgument, ArgName: "x-amz-copy-source-range", ArgValue: spec,
		Message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"}
	r, ok := strings.CutPrefix(spec, "bytes=")
	if !ok {
		return nil, bad
	}
	a, b, ok := strings.Cut(r, "-")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || start < 0 || end < start {
		return nil, bad
	}
	if end >= size {
		// S3's answer (InvalidArgument, not InvalidRange), as s3rver and
		// the S3 compatibility suites record it.
		return nil, &Error{Code: ErrInvalidArgument, ArgName: "x-amz-copy-source-range", ArgValue: spec,
			Message: "Range specified is not valid for source object of size: " + strconv.FormatInt(size, 10)}
	}
	return &Range{Start: start, Length: end - start + 1}, nil
}

// Check evaluates the conditions against an object, in the order RFC 9110
// §13.2.2 gives: If-Match, If-Unmodified-Since, If-None-Match,
// If-Modified-Since. It returns ErrPreconditionFailed or ErrNotModified.
// notModifiedIsFailure makes If-None-Match a 412 (for writes and copies).
func (c Conditions) Check(info ObjectInfo, notModifiedIsFailure bool) error {
	lm := info.LastModified.Truncate(time.Second)
	failed := &Error{Code: ErrPreconditionFailed, Message: "At least one of the pre-conditions you specified did not hold"}
	if c.IfMatch != "" {
		if !etagListMatches(c.IfMatch, info.ETag) {
			return failed
		}
	} else if !c.IfUnmodifiedSince.IsZero() && lm.After(c.IfUnmodifiedSince) {
		return failed
	}
	notModified := &Error{Code: ErrNotModified, Message: "Not Modified"}
	if notModifiedIsFailure {
		notModified = failed
	}
	if c.IfNoneMatch != "" {
		if etagListMatches(c.IfNoneMatch, info.ETag) {
			return notModified
		}
	} else if !c.IfModifiedSince.IsZero() && !lm.After(c.IfModifiedSince) {
		return notModified
	}
	return nil
}

func etagListMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		e = strings.TrimPrefix(e, "W/")
		if e == "*" || strings.EqualFold(strings.Trim(e, `"`), etag) {
			return true
		}
	}
	return false
}
