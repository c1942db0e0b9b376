// Package serial derives a document's serial number from its content, so
// that the same SBOM always gets the same serial number and the codecs'
// output stays reproducible.
package serial

import (
	"crypto/sha256"
	"fmt"
)

// FromContent returns a urn:uuid: derived from content: the first 16 bytes
// of its SHA-256 with the version (5, name-based) and variant bits set.
func FromContent(content []byte) string {
	sum := sha256.Sum256(content)
	u := sum[:16]
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
