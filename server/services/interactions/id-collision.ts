// Retrying a write whose new row drew an id already taken.
import { isUniqueViolation } from '../../db/accounts.repo.ts';

/** Two rows drawing the same id in the same millisecond is rare (DESIGN.md rule 6); the whole write is tried again. */
export async function retryOnIdCollision<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= attempts) throw error;
    }
  }
}
