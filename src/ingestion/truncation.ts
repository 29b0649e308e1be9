/** How a document ended, as the preflight saw it. */
export interface DocumentEnding {
  /** The root element's close tag was reached. */
  rootClosed: boolean;
  /** The last complete entry ended at an ancestor's close tag (`</channel>`, `</rss>`) instead of its own. */
  lastItemClosedByAncestor: boolean;
  /** Complete entries in the document. */
  entries: number;
}

/**
 * Why a document must be taken as cut short, or null when it is not. A root that never closes always is: the
 * bytes stopped early, whatever the status line said. A closed document is when its last entry was cut (closed by
 * the channel's end) and it holds fewer than half the entries of the last document read in full: a body cut
 * inside an entry to which something appended the closing tags. Either way the poll fails (kind `truncated`), so
 * no validators or digests of the cut document are kept and the next poll fetches the whole feed again.
 */
export function truncationOf(ending: DocumentEnding, lastFullEntries: number | null): string | null {
  if (!ending.rootClosed) {
    return `the document ends before its root element closes (${ending.entries} complete entries before the cut)`;
  }
  if (ending.lastItemClosedByAncestor && lastFullEntries !== null && ending.entries * 2 < lastFullEntries) {
    return (
      `the last entry is cut off and ${ending.entries} entries remain of the ${lastFullEntries} ` +
      'the last full poll had'
    );
  }
  return null;
}
