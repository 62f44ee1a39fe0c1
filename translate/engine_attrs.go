package translate

import (
	"context"
	"strconv"
	"strings"
)

// AttributesRequest is a front GetObjectAttributes: an object's
// description without its bytes, and a page of its parts.
type AttributesRequest struct {
	Bucket, Key string
	// MaxParts bounds the parts listed: 1000 when 0, and at most 1000.
	MaxParts int
	// PartNumberMarker lists parts with numbers greater than it.
	PartNumberMarker int
}

// ObjectAttributes is the answer to GetObjectAttributes.
type ObjectAttributes struct {
	Info ObjectInfo
	// Multipart reports that the object was assembled from parts;
	// PartsCount is then their number.
	Multipart  bool
	PartsCount int
	// Parts is the page of parts after the request's PartNumberMarker, at
	// most MaxParts of them, numbered 1 to PartsCount in order, each with
	// its size and checksum. It is listed only for an object whose upload
	// chose a checksum algorithm (S3 lists no Part element for the others,
	// only the count); PartsListed reports whether it was.
	Parts       []PartInfo
	PartsListed bool
	// MaxParts is the bound applied; Truncated reports that more parts
	// follow, NextPartNumberMarker is then the last number in Parts.
	MaxParts             int
	Truncated            bool
	NextPartNumberMarker int
}

// GetObjectAttributes describes an object and pages through its parts.
// ErrNoSuchBucket, ErrNoSuchKey; a negative MaxParts or PartNumberMarker is
// ErrInvalidArgument.
func (e *Engine) GetObjectAttributes(ctx context.Context, c Caller, req AttributesRequest) (ObjectAttributes, error) {
	if err := authorize(c, req.Bucket, AccessRead); err != nil {
		return ObjectAttributes{}, err
	}
	if req.MaxParts < 0 {
		return ObjectAttributes{}, &Error{Code: ErrInvalidArgument, ArgName: "x-amz-max-parts", ArgValue: strconv.Itoa(req.MaxParts),
			Message: "Argument max-parts must be an integer between 0 and 2147483647"}
	}
	if req.PartNumberMarker < 0 {
		return ObjectAttributes{}, &Error{Code: ErrInvalidArgument, ArgName: "x-amz-part-number-marker", ArgValue: strconv.Itoa(req.PartNumberMarker),
			Message: "Argument part-number-marker must be an integer between 0 and 2147483647"}
	}
	b, _ := e.route(req.Bucket)
	info, err := b.HeadObject(ctx, req.Bucket, req.Key)
	if err != nil {
		return ObjectAttributes{}, withBucket(err, req.Bucket, req.Key)
	}
	max := req.MaxParts
	if max == 0 || max > 1000 {
		max = 1000
	}
	out := ObjectAttributes{Info: info, MaxParts: max}
	out.PartsCount = len(info.PartSizes)
	if out.PartsCount == 0 {
		out.PartsCount = etagParts(info.ETag)
	}
	out.Multipart = out.PartsCount > 0
	if !out.Multipart || len(info.PartChecksums) != len(info.PartSizes) || len(info.PartSizes) == 0 {
		return out, nil
	}
	out.PartsListed = true
	for n := req.PartNumberMarker + 1; n <= len(info.PartSizes); n++ {
		if len(out.Parts) == max {
			out.Truncated = true
			break
		}
		out.Parts = append(out.Parts, PartInfo{Number: n, Size: info.PartSizes[n-1], Checksum: info.PartChecksums[n-1].Clone()})
		out.NextPartNumberMarker = n
	}
	return out, nil
}

// etagParts returns N of a multipart ETag "<hex>-N", or 0.
func etagParts(etag string) int {
	i := strings.LastIndexByte(etag, '-')
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(etag[i+1:])
	if err != nil || n < 1 {
		return 0
	}
	return n
}
