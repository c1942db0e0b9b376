// Package textpos turns the byte offsets and positions in decoding errors
// into the line numbers people look for, and finds the first byte of a file
// that is not UTF-8.
package textpos

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LineOfJSONError is the line of data where a JSON decoding error is, 0
// when the error has no offset.
func LineOfJSONError(data []byte, err error) int {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// JSONErrorAt adds the line number to a JSON error that has an offset.
func JSONErrorAt(data []byte, err error) string {
	if line := LineOfJSONError(data, err); line > 0 {
		return fmt.Sprintf("line %d: %v", line, err)
	}
	return err.Error()
}

// XMLErrorAt names the line of an XML syntax error.
func XMLErrorAt(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("line %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

// InvalidUTF8Line returns the line of the first byte of data that is not
// UTF-8, 0 when data is valid text.
func InvalidUTF8Line(data []byte) int {
	if utf8.Valid(data) {
		return 0
	}
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			break
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// ErrInvalidUTF8 is the cause of CheckJSONUTF8's error.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// CheckJSONUTF8 returns an error naming the line and the JSON Pointer of the
// value that holds the first byte of a JSON document that is not UTF-8, nil
// when the document is valid text. JSON must be UTF-8 (RFC 8259), and Go's
// decoder would silently turn such bytes into U+FFFD: a name that was
// never in the document.
func CheckJSONUTF8(data []byte) error {
	line := InvalidUTF8Line(data)
	if line == 0 {
		return nil
	}
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	return fmt.Errorf("line %d, at %s: %w", line, JSONPointerAt(data, off), ErrInvalidUTF8)
}

// frame is one open object or array while walking a JSON document.
type frame struct {
	array   bool
	index   int
	key     string
	wantKey bool
}

// JSONPointerAt returns the JSON Pointer (RFC 6901) of the innermost value
// or member name of data that holds the byte at offset, "/" for the
// document itself or when the document does not parse up to there.
func JSONPointerAt(data []byte, offset int) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	pointer := func() string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteByte('/')
			if f.array {
				b.WriteString(strconv.Itoa(f.index))
			} else {
				b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(f.key))
			}
		}
		if b.Len() == 0 {
			return "/"
		}
		return b.String()
	}
	advance := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].wantKey = true
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return pointer()
		}
		end := int(dec.InputOffset())
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].wantKey = key, false
				if end > offset {
					return pointer()
				}
				continue
			}
		}
		if end > offset {
			if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
				stack = stack[:len(stack)-1]
			}
			return pointer()
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{array: true})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			advance()
		default:
			advance()
		}
	}
}
