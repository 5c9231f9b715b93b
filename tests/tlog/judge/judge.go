// Command judge checks an Appeals Ledger log with Go's own transparency-log code, not ours.
//
// It opens the checkpoint with golang.org/x/mod/sumdb/note and the log's verifier key,
// recomputes the tree hash from the tiles with sumdb/tlog's TileHashReader (which
// authenticates every tile it reads against the signed tree), checks that every entry in
// the entry bundles hashes to its leaf in the level-0 tiles, and proves and checks the
// first and last leaf's inclusion. Tiles come from a tlog-tiles prefix: an http:// URL
// or a directory written by `appeals audit publish`.
//
// Usage: judge -vkey VKEY -prefix URL|DIR
// Exit 0 and "OK size N root R entries E", or exit 1 and the reason.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type prefixReader struct{ prefix string }

func (r prefixReader) get(path string) ([]byte, error) {
	if strings.HasPrefix(r.prefix, "http://") {
		resp, err := http.Get(strings.TrimSuffix(r.prefix, "/") + "/" + path)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	return os.ReadFile(filepath.Join(r.prefix, filepath.FromSlash(path)))
}

// tlog-tiles drops the height from sumdb's tile path: tile/8/0/x001/234 is tile/0/x001/234.
func tilePath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
}

func (r prefixReader) Height() int { return 8 }

func (r prefixReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := r.get(tilePath(t))
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", tilePath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (r prefixReader) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	vkey := flag.String("vkey", "", "the log's verifier key (name+id+key)")
	prefix := flag.String("prefix", "", "tlog-tiles prefix: http://... or a directory")
	checkpointPath := flag.String("checkpoint", "checkpoint", "the checkpoint's path below the prefix")
	flag.Parse()
	r := prefixReader{*prefix}

	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg, err := r.get(*checkpointPath)
	if err != nil {
		fail("checkpoint: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint body: origin %q", lines[0])
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 {
		fail("checkpoint size %q", lines[1])
	}
	rawRoot, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rawRoot) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rawRoot)
	tree := tlog.Tree{N: size, Hash: root}

	hashes := tlog.TileHashReader(tree, r)
	computed, err := tlog.TreeHash(size, hashes)
	if err != nil {
		fail("tiles: %v", err)
	}
	if computed != root {
		fail("tiles give root %v, the checkpoint signed %v", computed, root)
	}

	entries := int64(0)
	for start := int64(0); start < size; start += 256 {
		width := size - start
		if width > 256 {
			width = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data, err := r.get(strings.Replace(tilePath(t), "/data/", "/entries/", 1))
		if err != nil {
			fail("entries: %v", err)
		}
		indexes := make([]int64, width)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		leaves, err := hashes.ReadHashes(indexes)
		if err != nil {
			fail("level 0 tiles: %v", err)
		}
		// This x/mod's TileHashReader checks a full tile against its parent only when the
		// tree hash needed as many tiles as subtrees, so a changed hash in a full tile can
		// pass it. An inclusion proof of the tile's first leaf is computed from every hash
		// of the tile: checking it against the signed root authenticates the whole tile.
		proof, err := tlog.ProveRecord(size, start, hashes)
		if err != nil {
			fail("prove leaf %d: %v", start, err)
		}
		if err := tlog.CheckRecord(proof, size, root, start, leaves[0]); err != nil {
			fail("level 0 tile %d does not give the signed root: %v", start/256, err)
		}
		for i := int64(0); i < width; i++ {
			if len(data) < 2 {
				fail("entry %d: bundle too short", start+i)
			}
			length := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+length {
				fail("entry %d: bundle too short", start+i)
			}
			if tlog.RecordHash(data[2:2+length]) != leaves[i] {
				fail("entry %d does not hash to its leaf in the tiles", start+i)
			}
			data = data[2+length:]
			entries++
		}
		if len(data) != 0 {
			fail("entry bundle %d has bytes after its %d entries", start/256, width)
		}
	}

	for _, leaf := range []int64{0, size - 1} {
		proof, err := tlog.ProveRecord(size, leaf, hashes)
		if err != nil {
			fail("prove leaf %d: %v", leaf, err)
		}
		h, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, leaf)})
		if err != nil {
			fail("leaf %d: %v", leaf, err)
		}
		if err := tlog.CheckRecord(proof, size, root, leaf, h[0]); err != nil {
			fail("inclusion of leaf %d: %v", leaf, err)
		}
	}
	fmt.Printf("OK size %d root %s entries %d\n", size, lines[2], entries)
}
