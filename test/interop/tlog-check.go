// Checks a Parley log with Go's golang.org/x/mod/sumdb/note and .../tlog, an implementation
// nobody on the project wrote: the checkpoint note and its signature, every C2SP tile the
// proofs need (tlog.TileHashReader checks each against the signed root), the entry bundles,
// and the JSON API's inclusion and consistency proofs.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tlog-check.go <base-url> <log verifier key> <step>
//
// Prints "ok <size> <entries checked> <api proofs checked>" or exits 1 with the reason.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base string

func get(path string) []byte {
	res, err := http.Get(base + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		fail("GET %s: status %d %v %s", path, res.StatusCode, err, body)
	}
	return body
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlog-check: "+format+"\n", args...)
	os.Exit(1)
}

// tiles reads C2SP tiles: Go's tile path "tile/8/L/N[.p/W]" less the height element.
type tiles struct{ cache map[string][]byte }

func (t *tiles) Height() int { return 8 }

func (t *tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, tile := range ts {
		p := "tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
		if _, ok := t.cache[p]; !ok {
			t.cache[p] = get("/transparency/" + p)
		}
		out[i] = t.cache[p]
	}
	return out, nil
}

func (t *tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	if len(os.Args) != 4 {
		fail("usage: tlog-check <base-url> <vkey> <step>")
	}
	base = strings.TrimRight(os.Args[1], "/")
	step, _ := strconv.ParseInt(os.Args[3], 10, 64)
	verifier, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open(get("/transparency/checkpoint"), note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint note: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		fail("checkpoint body has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("tree size: %v", err)
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("root hash: %v", err)
	}
	tree := tlog.Tree{N: size, Hash: root}
	thr := tlog.TileHashReader(tree, &tiles{cache: map[string][]byte{}})

	// Every entry bundle, each entry proved into the signed tree from the tiles.
	checked := 0
	for start := int64(0); start < size; start += 256 {
		w := size - start
		p := "tile/entries/" + strings.TrimPrefix(tlog.Tile{H: 8, L: 0, N: start / 256, W: 256}.Path(), "tile/8/0/")
		if w < 256 {
			p = "tile/entries/" + strings.TrimPrefix(tlog.Tile{H: 8, L: 0, N: start / 256, W: int(w)}.Path(), "tile/8/0/")
		} else {
			w = 256
		}
		bundle := get("/transparency/" + p)
		for i := int64(0); i < w; i++ {
			if len(bundle) < 2 {
				fail("bundle %s ends before entry %d", p, start+i)
			}
			l := int(binary.BigEndian.Uint16(bundle))
			entry := bundle[2 : 2+l]
			bundle = bundle[2+l:]
			idx := start + i
			if idx%step != 0 && idx != size-1 {
				continue
			}
			proof, err := tlog.ProveRecord(size, idx, thr)
			if err != nil {
				fail("prove entry %d from tiles: %v", idx, err)
			}
			if err := tlog.CheckRecord(proof, size, root, idx, tlog.RecordHash(entry)); err != nil {
				fail("entry %d is not in the signed tree: %v", idx, err)
			}
			checked++
		}
		if len(bundle) != 0 {
			fail("bundle %s has %d bytes after its entries", p, len(bundle))
		}
	}

	// The JSON API's proofs, checked by Go's verifier.
	api := 0
	for idx := int64(0); idx < size; idx += step * 7 {
		leaf, err := thr.ReadHashes([]int64{tlog.StoredHashIndex(0, idx)})
		if err != nil {
			fail("leaf %d from tiles: %v", idx, err)
		}
		var inc struct {
			LeafIndex int64    `json:"leaf_index"`
			AuditPath []string `json:"audit_path"`
		}
		q := url.QueryEscape(base64.StdEncoding.EncodeToString(leaf[0][:]))
		if err := json.Unmarshal(get(fmt.Sprintf("/transparency/v1/get-proof-by-hash?hash=%s&tree_size=%d", q, size)), &inc); err != nil {
			fail("inclusion proof JSON: %v", err)
		}
		if err := tlog.CheckRecord(hashes(inc.AuditPath), size, root, inc.LeafIndex, leaf[0]); err != nil {
			fail("API inclusion proof for entry %d: %v", idx, err)
		}
		if idx > 0 {
			old, err := tlog.TreeHash(idx, thr)
			if err != nil {
				fail("tree hash %d from tiles: %v", idx, err)
			}
			var con struct{ Consistency []string }
			if err := json.Unmarshal(get(fmt.Sprintf("/transparency/v1/get-sth-consistency?first=%d&second=%d", idx, size)), &con); err != nil {
				fail("consistency proof JSON: %v", err)
			}
			if err := tlog.CheckTree(hashes(con.Consistency), size, root, idx, old); err != nil {
				fail("API consistency proof %d -> %d: %v", idx, size, err)
			}
		}
		api++
	}
	fmt.Printf("ok %d %d %d\n", size, checked, api)
}

func hashes(b64 []string) []tlog.Hash {
	out := make([]tlog.Hash, len(b64))
	for i, s := range b64 {
		h, err := tlog.ParseHash(s)
		if err != nil {
			fail("proof hash: %v", err)
		}
		out[i] = h
	}
	return out
}
