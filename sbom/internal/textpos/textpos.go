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
