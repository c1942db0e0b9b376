package sbom

import (
	"errors"
	"unicode/utf8"
)

// errInvalidUTF8 is the cause of a FileError for a lockfile that is not
// UTF-8 text. Every lockfile format sdlkit reads is UTF-8; a decoder that
// accepted other bytes would put U+FFFD into names, and a component whose
// name was never in the file into the SBOM.
var errInvalidUTF8 = errors.New("invalid UTF-8")

// checkUTF8 returns a FileError naming the line of the first byte that is
// not UTF-8, nil when data is valid text.
func checkUTF8(rel string, data []byte) error {
	if utf8.Valid(data) {
		return nil
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
	return &FileError{Path: rel, Line: line, Err: errInvalidUTF8}
}
