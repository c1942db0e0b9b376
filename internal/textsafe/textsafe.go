// Package textsafe makes text from input files inert before it reaches a
// person's terminal: control characters (an ANSI escape in a version, a
// newline in a name), invisible bidirectional overrides and bytes that are
// not UTF-8 are shown escaped, as Go writes them in strings ("\x1b",
// "\u202e"), instead of acting on the terminal or the layout.
package textsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every control character, bidirectional formatting
// character and invalid UTF-8 byte escaped; other text is unchanged. It
// returns s itself when there is nothing to escape.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case unsafe(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafe(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafe is true for control characters (C0, DEL, C1) and the
// bidirectional formatting characters that reorder what a terminal shows
// (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
func unsafe(r rune) bool {
	return unicode.IsControl(r) || r == '\u200e' || r == '\u200f' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// Cell is s escaped for a table cell of human output: "-" when empty.
func Cell(s string) string {
	if s == "" {
		return "-"
	}
	return Escape(s)
}
