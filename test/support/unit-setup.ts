// Every unit test gets a fresh, spec-following IndexedDB (fake-indexeddb) in place of the browser's.
import "fake-indexeddb/auto";
