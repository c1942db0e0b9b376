// Package docread reads whole SBOM documents into memory with a size limit,
// so that the decoders never read an endless or huge input.
package docread

import (
	"fmt"
	"io"
)

// MaxSize is the largest SBOM document sdlkit reads (256 MiB); a bigger
// input is refused rather than read into memory.
const MaxSize = 256 << 20

// ReadAll reads all of r, refusing more than MaxSize. name is used in
// errors only.
func ReadAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("read %s: larger than the limit of %d MiB", name, MaxSize>>20)
	}
	return data, nil
}
