// Package postform serves browser form uploads (S3 POST Object, OSS
// PostObject, OBS POST upload): it reads the multipart/form-data body up to
// its file field, verifies the form's signature over its policy document
// in the dialect's scheme, checks the policy's expiration and conditions,
// and hands the file field on as a stream of known size. Nothing of the
// file is read before all of that has passed.
package postform

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// MaxFieldsSize bounds the bytes of a form before its file field.
const MaxFieldsSize = 1 << 20

// Form is a POST form read up to its file field.
type Form struct {
	// Fields by lower-case name; each name appears once.
	Fields map[string]string
	// Names are the fields' names as sent, in order.
	Names []string
	// FileName is the file field's filename; FileType its Content-Type.
	FileName, FileType string
	// File streams the file's Size bytes. Its last Read reports
	// ErrMalformedPOSTRequest instead of io.EOF if the form does not end
	// right after the file (the file must be the last field, as S3, OSS
	// and OBS require).
	File io.Reader
	Size int64
}

func malformed(msg string) error {
	return &translate.Error{Code: translate.ErrMalformedPOSTRequest, Message: msg}
}

const notMultipart = "The body of your POST request is not well-formed multipart/form-data."

// Read reads hr's form fields up to the file field. The request must be
// multipart/form-data with a boundary and a Content-Length (the file's
// size is what is left after the fields, less the closing delimiter).
func Read(hr *http.Request) (*Form, error) {
	mt, params, err := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "multipart/form-data") || params["boundary"] == "" {
		return nil, malformed(notMultipart)
	}
	if hr.ContentLength < 0 {
		return nil, &translate.Error{Code: translate.ErrMissingContentLength, Message: "You must provide the Content-Length HTTP header."}
	}
	delim := "--" + params["boundary"]
	cr := &countReader{r: io.LimitReader(hr.Body, hr.ContentLength)}
	br := bufio.NewReaderSize(cr, 32<<10)
	consumed := func() int64 { return cr.n - int64(br.Buffered()) }
	// The first delimiter, after any preamble.
	for {
		line, err := br.ReadString('\n')
		if err != nil || consumed() > MaxFieldsSize {
			return nil, malformed(notMultipart)
		}
		if strings.TrimRight(line, "\r\n") == delim {
			break
		}
	}
	f := &Form{Fields: map[string]string{}}
	tp := textproto.NewReader(br)
	for {
		hdr, err := tp.ReadMIMEHeader()
		if err != nil || consumed() > MaxFieldsSize {
			return nil, malformed(notMultipart)
		}
		_, p, err := mime.ParseMediaType(hdr.Get("Content-Disposition"))
		name := p["name"]
		if err != nil || name == "" {
			return nil, malformed(notMultipart)
		}
		if strings.EqualFold(name, "file") {
			f.FileName, f.FileType = p["filename"], hdr.Get("Content-Type")
			trailer := "\r\n" + delim + "--\r\n"
			f.Size = hr.ContentLength - consumed() - int64(len(trailer))
			if f.Size < 0 {
				return nil, malformed(notMultipart)
			}
			f.File = &fileReader{br: br, left: f.Size, trailer: trailer}
			return f, nil
		}
		value, last, err := readValue(br, "\r\n"+delim, MaxFieldsSize-consumed())
		if err != nil {
			return nil, err
		}
		lname := strings.ToLower(name)
		if _, dup := f.Fields[lname]; dup {
			return nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name, ArgValue: value,
				Message: "Bucket POST can only contain one field named '" + name + "'."}
		}
		f.Fields[lname] = value
		f.Names = append(f.Names, name)
		if last {
			return nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "file", ArgValue: "0",
				Message: "POST requires exactly one file upload per request."}
		}
	}
}

// readValue reads a field's value up to delim and what follows it: "\r\n"
// (another part) or "--" (the end, last true).
func readValue(br *bufio.Reader, delim string, limit int64) (string, bool, error) {
	var buf bytes.Buffer
	for {
		c, err := br.ReadByte()
		if err != nil || int64(buf.Len()) > limit {
			return "", false, malformed(notMultipart)
		}
		buf.WriteByte(c)
		if c == delim[len(delim)-1] && bytes.HasSuffix(buf.Bytes(), []byte(delim)) {
			break
		}
	}
	value := buf.String()[:buf.Len()-len(delim)]
	var end [2]byte
	if _, err := io.ReadFull(br, end[:]); err != nil {
		return "", false, malformed(notMultipart)
	}
	switch string(end[:]) {
	case "\r\n":
		return value, false, nil
	case "--":
		return value, true, nil
	}
	return "", false, malformed(notMultipart)
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fileReader yields left bytes, then checks the closing delimiter.
type fileReader struct {
	br      *bufio.Reader
	left    int64
	trailer string
	done    bool
}

func (f *fileReader) Read(p []byte) (int, error) {
	if f.left == 0 {
		if !f.done {
			f.done = true
			end := make([]byte, len(f.trailer))
			if _, err := io.ReadFull(f.br, end); err != nil || string(end) != f.trailer {
				return 0, malformed("The file must be the last field of the form, followed by the closing boundary.")
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.br.Read(p)
	f.left -= int64(n)
	if err == io.EOF && f.left > 0 {
		return n, &translate.Error{Code: translate.ErrIncompleteBody, Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}
