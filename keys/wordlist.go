package keys

import (
	_ "embed"
	"strings"
	"sync"
)

// bip39English is the English BIP-39 wordlist, bip-0039/english.txt of the
// bitcoin/bips repository (2048 words, sha256 2f5eed53…24dbda). It is data, so
// it is embedded rather than pulled in with a module for one file.
//
//go:embed bip39_english.txt
var bip39English string

var wordlist struct {
	once  sync.Once
	words []string
	index map[string]int
}

func loadWordlist() {
	wordlist.once.Do(func() {
		words := strings.Fields(bip39English)
		index := make(map[string]int, len(words))
		for i, w := range words {
			index[w] = i
		}
		wordlist.words = words
		wordlist.index = index
	})
}

// bip39Word returns the word for an 11-bit index.
func bip39Word(i int) string {
	loadWordlist()
	return wordlist.words[i]
}

// bip39Index returns the 11-bit index of a word, or false if the word is not
// in the list.
func bip39Index(w string) (int, bool) {
	loadWordlist()
	i, ok := wordlist.index[w]
	return i, ok
}
