// A document loader that never loads. Reading a remote object goes through
// Fedify's getters, which fetch any value that is only a URL with the loader
// they are given; handing them this one, with `suppressError`, makes them
// skip such values, so reading a Note or an actor never touches the network.
// Whoever needs a referenced object resolves it on purpose.
// Embedded objects whose id is on another origin are trusted (Fedify would
// otherwise refetch them from that origin): we read them as what the
// document says about its attachment, icon or place (a URL, a size, a name),
// never as the other origin's authoritative object.
import type { DocumentLoader } from '@fedify/vocab';

export const refuseFetch: DocumentLoader = (url) => Promise.reject(new Error(`Not fetched (embedded values only): ${url}`));

/** Options for Fedify getters that must read embedded values only. */
export const EMBEDDED_ONLY = { documentLoader: refuseFetch, suppressError: true, crossOrigin: 'trust' } as const;
