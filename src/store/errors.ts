/** A store that cannot be opened or used as asked; its message is one line fit to show an operator. */
export class StoreError extends Error {
  override name = 'StoreError';
}
