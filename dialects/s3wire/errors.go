package s3wire

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// WireError is how a dialect spells one neutral error code: the Code
// element, the HTTP status and the default message.
type WireError = dialects.WireForm

// TableLookup returns the Lookup of a dialect's error table. The table's
// entries have WireError's fields under a type of the dialect's own, so
// that it is written one unkeyed row a code.
func TableLookup[E ~struct {
	Code    string
	Status  int
	Message string
}](table map[translate.Code]E) func(translate.Code) (WireError, bool) {
	return func(c translate.Code) (WireError, bool) {
		e, ok := table[c]
		return WireError(e), ok
	}
}

// ErrorForm is an S3-family dialect's error encoding. The dialect owns the
// values; Wire and Encode apply them.
type ErrorForm struct {
	// Lookup returns the dialect's form of a neutral code, ok=false if its
	// table has none (the InternalError form is used then; the dialect's
	// table must have that one).
	Lookup func(translate.Code) (WireError, bool)
	// KeepMessage reports whether an error's own message, when it has one,
	// replaces the table's default for its code.
	KeepMessage func(translate.Code) bool
	// CodeHeader and MessageHeader, when set, also carry the code and the
	// (header-safe) message on every error response but a 304, for clients
	// that read errors of body-less responses from headers (OBS).
	CodeHeader, MessageHeader string
	// Extra renders translate.Error.Extra as elements of <Error>, sorted
	// by name (S3).
	Extra bool
}

// errorBody is the S3-family <Error> document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Resource  string `xml:",omitempty"`
	Bucket    string `xml:"BucketName,omitempty"`
	Key       string `xml:",omitempty"`
	UploadID  string `xml:"UploadId,omitempty"`
	ArgName   string `xml:"ArgumentName,omitempty"`
	ArgValue  string `xml:"ArgumentValue,omitempty"`
	Extra     []extraElem
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type extraElem struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// Wire returns the dialect's form of err and err as a translate.Error.
func (f *ErrorForm) Wire(err error) (WireError, *translate.Error) {
	te := translate.AsError(err)
	w, ok := f.Lookup(te.Code)
	if !ok {
		w, _ = f.Lookup(translate.ErrInternal)
	}
	if te.Message != "" && f.KeepMessage(te.Code) {
		w.Message = te.Message
	}
	return w, te
}

// Encode writes err: the headers describing an object are removed (but
// ETag and Last-Modified on a 304 or 412, see setValidators), then
// the status, the code headers if the form has them, and for anything but
// HEAD (and 304) an <Error> body naming the resource, the error's details
// and the request IDs. Bucket-level errors name no key.
func (f *ErrorForm) Encode(w http.ResponseWriter, r *dialects.Request, err error) {
	we, te := f.Wire(err)
	h := w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Range", "Accept-Ranges"} {
		if (k == "ETag" || k == "Last-Modified") && (we.Status == http.StatusNotModified || we.Status == http.StatusPreconditionFailed) {
			continue // the validators of the object a condition failed on
		}
		h.Del(k)
	}
	if f.CodeHeader != "" && we.Status != http.StatusNotModified {
		h.Set(f.CodeHeader, we.Code)
		h.Set(f.MessageHeader, headerSafe(we.Message))
	}
	if we.Status == http.StatusNotModified || r.HTTP.Method == http.MethodHead {
		w.WriteHeader(we.Status)
		return
	}
	body := errorBody{Code: we.Code, Message: we.Message, Resource: r.HTTP.URL.Path,
		Bucket: te.Bucket, Key: te.Key, UploadID: te.UploadID, ArgName: te.ArgName, ArgValue: te.ArgValue,
		RequestID: r.ID, HostID: r.HostID}
	if f.Extra {
		names := make([]string, 0, len(te.Extra))
		for k := range te.Extra {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			body.Extra = append(body.Extra, extraElem{XMLName: xml.Name{Local: k}, Value: te.Extra[k]})
		}
	}
	if te.Code == translate.ErrNoSuchBucket || te.Code == translate.ErrBucketNotEmpty || te.Code == translate.ErrBucketAlreadyOwnedByYou {
		body.Key = ""
	}
	WriteXML(w, we.Status, body)
}

// headerSafe makes a message usable as a header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, s)
}
